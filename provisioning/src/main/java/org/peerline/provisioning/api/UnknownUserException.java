package org.peerline.provisioning.api;

/** No user has this name. */
public final class UnknownUserException extends ProvisioningException {
    private static final long serialVersionUID = 1L;

    private final String name;

    /**
     * Creates the exception with the standard message.
     *
     * @param name the user name that was not found
     */
    public UnknownUserException(String name) {
        super("no user '" + name + "'");
        this.name = name;
    }

    /**
     * Returns the user name that was not found.
     *
     * @return the user name
     */
    public String name() {
        return name;
    }
}
