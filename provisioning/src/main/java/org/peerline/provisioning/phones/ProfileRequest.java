package org.peerline.provisioning.phones;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file a phone asked for, recognised by its name.
 *
 * @param mac  the phone's MAC address: 12 lowercase hex digits
 * @param kind which file it is
 */
public record ProfileRequest(String mac, Kind kind) {
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{12}");
    private static final Pattern NAME = Pattern.compile(
            "/?(?:([0-9a-fA-F]{12})\\.cfg|([0-9a-fA-F]{12})-peerline\\.cfg"
                    + "|cfg([0-9a-fA-F]{12})\\.xml|spa([0-9a-fA-F]{12})\\.xml)");

    /** The kinds of file phones fetch, each with its name pattern. */
    public enum Kind {
        /** {@code <mac>.cfg}: a Yealink configuration, or a Polycom master configuration file. */
        MAC_CFG("%s.cfg"),
        /** {@code <mac>-peerline.cfg}: the Polycom settings the master configuration file points to. */
        POLYCOM_SETTINGS("%s-peerline.cfg"),
        /** {@code cfg<mac>.xml}: a Grandstream XML configuration. */
        GRANDSTREAM_XML("cfg%s.xml"),
        /** {@code spa<mac>.xml}: a Cisco SPA flat-profile. */
        CISCO_SPA_XML("spa%s.xml");

        private final String format;

        Kind(String format) {
            this.format = format;
        }

        /**
         * Returns this kind's file name for a MAC address.
         *
         * @param mac 12 lowercase hex digits
         * @return e.g. {@code spa00156512ab3c.xml}
         */
        public String fileName(String mac) {
            return String.format(Locale.ROOT, format, mac);
        }
    }

    /** Checks that the MAC address is 12 lowercase hex digits. */
    public ProfileRequest {
        if (!MAC.matcher(Objects.requireNonNull(mac, "mac")).matches()) {
            throw new IllegalArgumentException("mac: '" + mac + "' is not 12 lowercase hex digits");
        }
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * Recognises a requested file name. The MAC address may be in upper or lower case and the name may start with
     * one {@code /}; anything else (directories, other names, other case in the fixed parts) is not recognised.
     *
     * @param fileName the name as requested, e.g. {@code /cfg00156512AB3C.xml}
     * @return the request, or empty if the name is not one of a phone's files
     */
    public static Optional<ProfileRequest> parse(String fileName) {
        Matcher m = NAME.matcher(Objects.requireNonNull(fileName, "fileName"));
        if (!m.matches()) {
            return Optional.empty();
        }
        Kind[] kinds = Kind.values();
        for (int group = 1; group <= kinds.length; group++) {
            if (m.group(group) != null) {
                return Optional.of(new ProfileRequest(m.group(group).toLowerCase(Locale.ROOT), kinds[group - 1]));
            }
        }
        throw new AssertionError("pattern matched without a MAC group: " + fileName);
    }

    /**
     * Returns the file's canonical name (lowercase MAC, no leading {@code /}).
     *
     * @return e.g. {@code 00156512ab3c-peerline.cfg}
     */
    public String fileName() {
        return kind.fileName(mac);
    }
}
