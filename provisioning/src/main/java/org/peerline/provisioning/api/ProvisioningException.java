package org.peerline.provisioning.api;

/**
 * A provisioning operation failed. Subclasses say why when the caller can act on it (the user exists, the extension
 * is taken, the user is unknown, the input is invalid); the base class alone means the store itself failed (I/O,
 * a corrupt or locked database, a schema newer than this software).
 */
public class ProvisioningException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message for the operator.
     *
     * @param message what failed, with the facts (file, user, value)
     */
    public ProvisioningException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message for the operator and its cause.
     *
     * @param message what failed, with the facts (file, user, value)
     * @param cause   the underlying failure
     */
    public ProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
