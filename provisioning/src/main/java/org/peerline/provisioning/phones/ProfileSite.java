package org.peerline.provisioning.phones;

import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The site-wide settings every phone of the site gets.
 *
 * @param domain    the SIP domain (the host part of the lines' addresses of record)
 * @param sipServer the registrar's host name or IP address
 * @param sipPort   the registrar's port, 1-65535
 * @param transport {@code udp} or {@code tcp} (any case; kept lowercase)
 * @param timeZone  the site's time zone; phones get its standard offset and yearly daylight-saving rule
 * @param ntpServer the NTP server's host name or IP address
 * @param codecs    the audio codecs in order of preference, from {@code PCMU}, {@code PCMA}, {@code G722},
 *                  {@code G729} (any case); at least one, no repeats
 */
public record ProfileSite(String domain, String sipServer, int sipPort, String transport, ZoneId timeZone,
                          String ntpServer, List<String> codecs) {
    /** Checks every component and normalises the transport and codec names to their canonical case. */
    public ProfileSite {
        requireText(domain, "domain");
        requireText(sipServer, "sipServer");
        requireText(ntpServer, "ntpServer");
        if (sipPort < 1 || sipPort > 65535) {
            throw new IllegalArgumentException("sipPort: " + sipPort + " is not in 1-65535");
        }
        transport = Objects.requireNonNull(transport, "transport").toLowerCase(Locale.ROOT);
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new IllegalArgumentException("transport: '" + transport + "' is not one of udp, tcp");
        }
        Objects.requireNonNull(timeZone, "timeZone");
        codecs = canonicalCodecs(codecs);
    }

    /** Returns the codecs as {@link Codec} values, in order of preference. */
    List<Codec> codecList() {
        return codecs.stream().map(Codec::parse).toList();
    }

    private static List<String> canonicalCodecs(List<String> codecs) {
        List<String> names = Objects.requireNonNull(codecs, "codecs").stream()
                .map(c -> Codec.parse(c).name())
                .toList();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("codecs: at least one codec is needed");
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("codecs: " + names + " names a codec twice");
        }
        return names;
    }

    private static void requireText(String value, String field) {
        if (Objects.requireNonNull(value, field).isBlank()) {
            throw new IllegalArgumentException(field + ": must not be empty");
        }
    }
}
