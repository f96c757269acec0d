package org.peerline.provisioning.api;

/**
 * An extension (or a user name that looks like one) would clash with another user: the extension is already
 * another user's extension or another user's name, or a new user's name is already another user's extension.
 */
public final class ExtensionTakenException extends ProvisioningException {
    private static final long serialVersionUID = 1L;

    private final String extension;
    private final String owner;

    /**
     * Creates the exception.
     *
     * @param extension the contested value
     * @param owner     the name of the user that already holds it
     * @param message   the full message
     */
    public ExtensionTakenException(String extension, String owner, String message) {
        super(message);
        this.extension = extension;
        this.owner = owner;
    }

    /**
     * Returns the contested extension (or name).
     *
     * @return the value that is taken
     */
    public String extension() {
        return extension;
    }

    /**
     * Returns the user that already holds the value.
     *
     * @return the other user's name
     */
    public String owner() {
        return owner;
    }
}
