package org.peerline.provisioning.phones;

import java.util.Objects;

/**
 * One line (account) of a phone.
 *
 * @param user        the SIP user name, also the digest authentication name
 * @param password    the phone's SIP password for this line; a password equivalent
 * @param displayName the name shown to callers, or null (or empty) to use the extension, else the user name
 * @param extension   the user's extension, or null (or empty) if none; labels the line key when present
 */
public record ProfileLine(String user, String password, String displayName, String extension) {
    /** Checks the mandatory components and turns empty optional ones into null. */
    public ProfileLine {
        if (Objects.requireNonNull(user, "user").isEmpty()) {
            throw new IllegalArgumentException("user: must not be empty");
        }
        Objects.requireNonNull(password, "password");
        displayName = emptyToNull(displayName);
        extension = emptyToNull(extension);
    }

    /**
     * Returns the text on the phone's line key: the extension if there is one, else the user name.
     *
     * @return the label
     */
    public String label() {
        return extension != null ? extension : user;
    }

    /**
     * Returns the name shown to callers: the display name, else the extension, else the user name.
     *
     * @return the caller-ID name
     */
    public String shownName() {
        return displayName != null ? displayName : label();
    }

    /** Describes the line without its password. */
    @Override
    public String toString() {
        return "ProfileLine[user=" + user + ", displayName=" + displayName + ", extension=" + extension + "]";
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
