package org.peerline.appliance;

/** A NoCloud seed that cannot be applied: the message names the seed file, the key and the reason. */
public final class SeedException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param file the seed file ({@code user-data}, {@code meta-data}, {@code network-config})
     * @param reason what is wrong, naming the key
     */
    public SeedException(String file, String reason) {
        super(file + ": " + reason);
    }
}
