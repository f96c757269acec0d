package org.peerline.provisioning.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A desk phone of this site: its MAC address, its vendor (which decides the configuration files it fetches) and
 * its lines, each a user of the site.
 *
 * <p>The phone registers each line as that user, but with a password of its own, {@link #password()}: user passwords
 * are stored only as HA1 and so cannot be written into a configuration file. The gateway accepts, for a user, the
 * user's own password and the password of every phone that has the user as a line. Removing the phone revokes its
 * password.
 *
 * @param mac      12 lowercase hex digits, no separators
 * @param vendor   the phone's vendor
 * @param model    the model as the administrator wrote it (e.g. {@code T46U}), or null
 * @param lines    the users on the phone's lines, line 1 first; 1-16 distinct names
 * @param password the phone's SIP password (20 letters and digits, random); a password equivalent
 * @param created  when the phone was added (millisecond precision)
 */
public record Phone(String mac, Vendor vendor, String model, List<String> lines, String password, Instant created) {
    /** Checks that the mandatory components are present and copies the lines. */
    public Phone {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(vendor, "vendor");
        lines = List.copyOf(lines);
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(created, "created");
    }

    /**
     * Returns the MAC address as people write it, {@code 00:15:65:12:ab:3c}.
     *
     * @return the MAC with colons
     */
    public String displayMac() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < mac.length(); i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(mac, i, i + 2);
        }
        return sb.toString();
    }

    /** Describes the phone without its password. */
    @Override
    public String toString() {
        return "Phone[mac=" + mac + ", vendor=" + vendor.id() + ", model=" + model + ", lines=" + lines
                + ", created=" + created + "]";
    }
}
