package org.peerline.gateway.sip;

import java.time.Duration;
import java.util.List;
import org.peerline.gateway.routing.Cidr;

/**
 * What the SIP edge needs to know, resolved and validated by the daemon's config loader.
 *
 * @param listen        sockets to listen on; a wildcard host expands to every local IPv4 address
 * @param domain        the site's SIP domain, also the digest realm
 * @param nonceLifetime how long a digest nonce stays valid before the answer is {@code stale=true}
 * @param trusted       source networks whose requests are neither challenged nor rate-limited
 * @param timerC        how long the proxy lets a ringing INVITE go without a final answer (RFC 3261 Timer C)
 */
public record SipSettings(List<ListenAddress> listen, String domain, Registrar registrar, Duration nonceLifetime,
                          Security security, List<Cidr> trusted, Duration timerC) {
    /** Timer C: more than 3 minutes (RFC 3261 §16.6 step 11). */
    public static final Duration DEFAULT_TIMER_C = Duration.ofSeconds(181);

    public SipSettings {
        listen = List.copyOf(listen);
        trusted = List.copyOf(trusted);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("sip.listen is empty: the gateway would accept no SIP traffic");
        }
    }

    /**
     * Registrar bounds (RFC 3261 §10.3).
     *
     * @param minExpires     shorter registrations get 423 Interval Too Brief with this Min-Expires
     * @param maxExpires     longer registrations are shortened to this
     * @param defaultExpires used when the REGISTER names no expiry
     * @param maxContacts    contacts per AOR; a new contact beyond it replaces the oldest one
     */
    public record Registrar(int minExpires, int maxExpires, int defaultExpires, int maxContacts) {
        public static final Registrar DEFAULTS = new Registrar(60, 3600, 3600, 10);

        public Registrar {
            if (minExpires < 1 || maxExpires < minExpires || defaultExpires < minExpires || defaultExpires > maxExpires) {
                throw new IllegalArgumentException("need 1 <= min-expires <= default-expires <= max-expires, got "
                        + minExpires + " <= " + defaultExpires + " <= " + maxExpires);
            }
            if (maxContacts < 1) {
                throw new IllegalArgumentException("max-contacts < 1: " + maxContacts);
            }
        }
    }

    /**
     * Scanner and brute-force resistance.
     *
     * @param rateLimit     requests per second allowed per source address (0 disables the limit)
     * @param rateBurst     requests a source may send at once above the steady rate
     * @param authFailures  failed authentications within {@code failureWindow} that block a source (0 disables)
     * @param failureWindow window over which failures are counted
     * @param blockTime     how long a blocked source is ignored
     */
    public record Security(int rateLimit, int rateBurst, int authFailures, Duration failureWindow, Duration blockTime) {
        public static final Security DEFAULTS =
                new Security(50, 100, 10, Duration.ofSeconds(60), Duration.ofSeconds(300));

        public Security {
            if (rateLimit < 0 || rateBurst < 0 || authFailures < 0) {
                throw new IllegalArgumentException("rate-limit, rate-burst and auth-failures must be >= 0");
            }
        }
    }
}
