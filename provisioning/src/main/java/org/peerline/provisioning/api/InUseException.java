package org.peerline.provisioning.api;

/** A change would break something that refers to the thing changed, or take a key in use (HTTP 409). */
public final class InUseException extends ProvisioningException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is in use and by what, for the administrator
     */
    public InUseException(String message) {
        super(message);
    }
}
