package org.peerline.provisioning.api;

/**
 * Changes to an existing user for {@link Users#update}. A null component leaves that attribute unchanged; an empty
 * {@code extension} or {@code displayName} clears it. A new password stores a new HA1 computed for the store's
 * current realm, which also repairs a user whose HA1 belongs to an old realm. The values are validated as for
 * {@link NewUser}.
 *
 * @param password    the new password, or null to keep the current one
 * @param extension   the new extension, empty to remove it, or null to keep it
 * @param displayName the new display name, empty to remove it, or null to keep it
 */
public record UserUpdate(String password, String extension, String displayName) {
    /**
     * Returns whether this update changes nothing.
     *
     * @return true if every component is null
     */
    public boolean isEmpty() {
        return password == null && extension == null && displayName == null;
    }

    /** Describes the update without the password. */
    @Override
    public String toString() {
        return "UserUpdate[password=" + (password == null ? "unchanged" : "***") + ", extension=" + extension
                + ", displayName=" + displayName + "]";
    }
}
