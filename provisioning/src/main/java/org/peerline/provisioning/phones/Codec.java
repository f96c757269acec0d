package org.peerline.provisioning.phones;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The audio codecs a site may offer, with each vendor's name for them. Only codecs that all four vendors' documented
 * keys can express are listed (Opus is missing from the Cisco SPA50x line).
 */
enum Codec {
    PCMU("pcmu", "G711_Mu", 0, "G711u"),
    PCMA("pcma", "G711_A", 8, "G711a"),
    G722("g722", "G722", 9, "G722"),
    G729("g729", "G729_AB", 18, "G729a");

    /** Yealink's {@code <payload_type>} in {@code account.X.codec.<payload_type>.enable}. */
    final String yealink;
    /** Polycom's {@code <codec>} in {@code voice.codecPref.<codec>}. */
    final String polycom;
    /** Grandstream's value for a "Preferred Vocoder" choice (the RTP payload type). */
    final int grandstream;
    /** Cisco SPA's value for {@code Preferred_Codec_N_}. */
    final String cisco;

    Codec(String yealink, String polycom, int grandstream, String cisco) {
        this.yealink = yealink;
        this.polycom = polycom;
        this.grandstream = grandstream;
        this.cisco = cisco;
    }

    /**
     * Parses a codec name in any case.
     *
     * @param name e.g. {@code PCMU}
     * @return the codec
     * @throws IllegalArgumentException if the name is not one of the codecs, with a message listing them
     */
    static Codec parse(String name) {
        for (Codec c : values()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        String known = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("codecs: '" + name + "' is not one of " + known);
    }
}
