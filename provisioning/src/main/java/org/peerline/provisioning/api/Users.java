package org.peerline.provisioning.api;

import java.util.List;
import java.util.Optional;

/**
 * The site's SIP users. Implementations are thread-safe.
 *
 * <p><b>Lookups</b> ({@link #find}, {@link #findByExtension}, {@link #list}) are served from an immutable in-memory
 * snapshot, so they are cheap enough for every SIP request and never wait for a write in progress. Changes made
 * through this object are visible to lookups as soon as the call that made them returns. Changes made by another
 * process on the same database (the {@code peerline user} CLI while the daemon runs) become visible within about a
 * quarter of a second, and on the next lookup that misses (a just-added user registering), subject to a short rate
 * limit so that scanners probing random names cannot load the database.
 *
 * <p><b>Realms.</b> Each user keeps the realm its HA1 was computed for. If the site's realm has changed since,
 * {@link #find} still returns the user, but its {@link User#ha1()} cannot verify digest responses in the new realm
 * (see {@link User#hasRealm}); the password must be reset with {@link #update}.
 */
public interface Users {
    /**
     * Finds a user by name. Names are case-sensitive.
     *
     * @param name the user name
     * @return the user, or empty if there is none (including for names that could never be valid)
     */
    Optional<User> find(String name);

    /**
     * Finds the user that has this extension.
     *
     * @param extension the extension, 2-15 digits
     * @return the user, or empty if no user has it (including for values that are not extensions)
     */
    Optional<User> findByExtension(String extension);

    /**
     * Lists all users.
     *
     * @return an immutable list sorted by name
     */
    List<User> list();

    /**
     * Adds a user, storing only the HA1 of its password for the current realm. The user is durable when this
     * returns.
     *
     * @param user the user to add
     * @return the stored user
     * @throws InvalidInputException    if a field is invalid; the message names the field and the reason
     * @throws UserExistsException      if a user with this name exists
     * @throws ExtensionTakenException  if the extension is another user's extension or name, or the name is another
     *                                  user's extension
     * @throws ProvisioningException    if the store fails
     */
    User add(NewUser user) throws ProvisioningException;

    /**
     * Adds many users in one transaction: either all are added or none is. Duplicates within the list count as
     * conflicts like duplicates with existing users. Messages are prefixed with the position of the offending entry,
     * for example {@code users[17].name: ...}.
     *
     * @param users the users to add
     * @return the stored users, in the order given
     * @throws ProvisioningException as for {@link #add}, for the first entry that fails
     */
    List<User> addAll(List<NewUser> users) throws ProvisioningException;

    /**
     * Changes a user's password, extension or display name.
     *
     * @param name   the user to change
     * @param update the changes; null components are left as they are
     * @return the user as stored after the change
     * @throws UnknownUserException    if there is no such user
     * @throws InvalidInputException   if a new value is invalid
     * @throws ExtensionTakenException if the new extension belongs to, or is the name of, another user
     * @throws ProvisioningException   if the store fails
     */
    User update(String name, UserUpdate update) throws ProvisioningException;

    /**
     * Removes a user.
     *
     * @param name the user to remove
     * @return true if the user existed and was removed, false if there was no such user
     * @throws ProvisioningException if the store fails
     */
    boolean remove(String name) throws ProvisioningException;
}
