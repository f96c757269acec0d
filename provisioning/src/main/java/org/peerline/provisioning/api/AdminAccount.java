package org.peerline.provisioning.api;

/**
 * The password of the box's admin page. Stored only as a salted PBKDF2-HMAC-SHA256 hash, in the same database as
 * the users (so backups carry it). Until it is set, the page asks for the one-time setup code the daemon prints.
 */
public interface AdminAccount {
    /** The shortest admin password accepted. */
    int MIN_PASSWORD = 8;

    /**
     * Returns whether an admin password has been set.
     *
     * @return true once {@link #setPassword} succeeded
     */
    boolean hasPassword();

    /**
     * Sets (or replaces) the admin password.
     *
     * @param password 8-128 characters, no control characters
     * @throws InvalidInputException if the password is too short, too long or has control characters
     * @throws ProvisioningException if the store fails
     */
    void setPassword(String password) throws ProvisioningException;

    /**
     * Checks a password against the stored hash, in time that does not depend on where it differs.
     *
     * @param password the password to check
     * @return true if it is the admin password; false if not, or if none is set
     */
    boolean verify(String password);
}
