package org.peerline.provisioning.api;

import java.util.List;
import java.util.Optional;

/**
 * The site's desk phones. Thread-safe. Like {@link Users}, lookups answer from memory and see changes made by other
 * processes (the {@code peerline phone} CLI) within about 250 ms.
 */
public interface Phones {
    /**
     * Finds a phone by MAC address.
     *
     * @param mac 12 hex digits, in either case, with or without {@code :}, {@code -} or {@code .} separators
     * @return the phone, or empty if there is none (or {@code mac} is not a MAC address)
     */
    Optional<Phone> find(String mac);

    /**
     * Returns every phone.
     *
     * @return the phones, sorted by MAC
     */
    List<Phone> list();

    /**
     * Adds a phone with a new random SIP password.
     *
     * @param phone the phone
     * @return the phone as stored
     * @throws InvalidInputException  if a field is invalid ({@code mac: ...}, {@code lines: ...})
     * @throws UnknownUserException   if a line names a user that does not exist
     * @throws InUseException         if a phone with this MAC exists
     * @throws ProvisioningException  if the store fails
     */
    Phone add(NewPhone phone) throws ProvisioningException;

    /**
     * Removes a phone; its password stops working at once.
     *
     * @param mac the MAC address, in any form {@link #find} accepts
     * @return true if there was such a phone
     * @throws ProvisioningException if the store fails
     */
    boolean remove(String mac) throws ProvisioningException;

    /**
     * Returns the digest HA1 of each phone's password for a user who is one of its lines, in the store's realm:
     * what the registrar accepts besides the user's own HA1.
     *
     * @param user the user name
     * @return the HA1 values, empty if the user is on no phone
     */
    List<String> lineHa1s(String user);
}
