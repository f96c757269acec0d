package org.peerline.provisioning.api;

import java.util.Locale;

/** A desk-phone vendor whose phones Peerline provisions: it decides the file names and formats a phone fetches. */
public enum Vendor {
    YEALINK, POLYCOM, GRANDSTREAM, CISCO;

    /**
     * Returns the vendor's identifier as written in commands, the API and the database.
     *
     * @return the lowercase name, e.g. {@code yealink}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a vendor identifier, in any case.
     *
     * @param s the identifier
     * @return the vendor
     * @throws IllegalArgumentException if {@code s} names no vendor, with a message listing the vendors
     */
    public static Vendor parse(String s) {
        if (s != null) {
            for (Vendor v : values()) {
                if (v.id().equalsIgnoreCase(s.trim())) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("vendor: '" + s + "' is not one of yealink, polycom, grandstream, cisco");
    }
}
