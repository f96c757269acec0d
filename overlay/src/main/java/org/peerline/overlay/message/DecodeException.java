package org.peerline.overlay.message;

/** Bytes that are not a well-formed RELOAD structure; the message says what and at which offset. */
public class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public DecodeException(String message) {
        super(message);
    }
}
