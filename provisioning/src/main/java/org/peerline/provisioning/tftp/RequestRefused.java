package org.peerline.provisioning.tftp;

/** A request the server answers with an ERROR packet: the code to send and its message, which is also logged. */
final class RequestRefused extends Exception {
    private static final long serialVersionUID = 1L;

    private final TftpError error;

    RequestRefused(TftpError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    TftpError error() {
        return error;
    }
}
