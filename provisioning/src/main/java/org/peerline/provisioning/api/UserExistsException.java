package org.peerline.provisioning.api;

/** A user with this name already exists. */
public final class UserExistsException extends ProvisioningException {
    private static final long serialVersionUID = 1L;

    private final String name;

    /**
     * Creates the exception with the standard message.
     *
     * @param name the user name that is taken
     */
    public UserExistsException(String name) {
        this(name, "user '" + name + "' already exists");
    }

    /**
     * Creates the exception with a message of the caller's choosing (for example prefixed with a batch position).
     *
     * @param name    the user name that is taken
     * @param message the full message
     */
    public UserExistsException(String name, String message) {
        super(message);
        this.name = name;
    }

    /**
     * Returns the user name that is taken.
     *
     * @return the user name
     */
    public String name() {
        return name;
    }
}
