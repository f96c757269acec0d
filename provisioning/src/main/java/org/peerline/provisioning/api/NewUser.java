package org.peerline.provisioning.api;

/**
 * A user to add. Nothing is checked here; {@link Users#add} and {@link Users#addAll} validate every field and report
 * the first problem as an {@link InvalidInputException} naming the field:
 * <ul>
 *   <li>{@code name}: 1-64 characters, only ASCII letters, digits and the RFC 3261 user-part characters
 *       {@code - _ . ! ~ * ' ( ) & = + $ , ; ? /}</li>
 *   <li>{@code password}: 1-128 characters, no control characters; only its HA1 is stored</li>
 *   <li>{@code extension}: null or empty for none, else 2-15 digits</li>
 *   <li>{@code displayName}: null or empty for none, else up to 128 characters, no control characters</li>
 * </ul>
 *
 * @param name        the user name
 * @param password    the clear-text password
 * @param extension   the extension, or null/empty for none
 * @param displayName the display name, or null/empty for none
 */
public record NewUser(String name, String password, String extension, String displayName) {
    /** Describes the user without the password. */
    @Override
    public String toString() {
        return "NewUser[name=" + name + ", password=***, extension=" + extension + ", displayName=" + displayName + "]";
    }
}
