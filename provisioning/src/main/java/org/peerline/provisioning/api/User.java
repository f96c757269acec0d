package org.peerline.provisioning.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A SIP user of this site as stored: no password, only its RFC 2617 HA1 and the realm HA1 was computed for.
 *
 * <p>If {@link #realm()} differs from the realm the gateway now challenges with (the site's domain changed), the
 * user still exists and is still found, but {@link #ha1()} cannot verify any digest response: the password must be
 * reset (which stores a new HA1 for the current realm).
 *
 * @param name        the user name (the user part of the address of record), case-sensitive
 * @param extension   the user's dialable extension (2-15 digits), or null if none
 * @param displayName the name shown to callers, or null if none
 * @param realm       the digest realm {@code ha1} was computed for
 * @param ha1         {@code MD5(name ":" realm ":" password)} as 32 lowercase hex characters; a password equivalent
 * @param created     when the user was added (millisecond precision)
 */
public record User(String name, String extension, String displayName, String realm, String ha1, Instant created) {
    /** Checks that the mandatory components are present. */
    public User {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(ha1, "ha1");
        Objects.requireNonNull(created, "created");
    }

    /**
     * Returns whether {@link #ha1()} was computed for the given realm and so can verify digest responses in it.
     *
     * @param currentRealm the realm the gateway challenges with
     * @return true if HA1 is usable for {@code currentRealm}
     */
    public boolean hasRealm(String currentRealm) {
        return realm.equals(currentRealm);
    }

    /** Describes the user without its HA1, which is a password equivalent and must not reach logs. */
    @Override
    public String toString() {
        return "User[name=" + name + ", extension=" + extension + ", displayName=" + displayName + ", realm=" + realm
                + ", created=" + created + "]";
    }
}
