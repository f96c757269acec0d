package org.peerline.gateway.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.peerline.gateway.routing.Cidr;
import org.peerline.gateway.sip.ListenAddress;
import org.peerline.gateway.sip.SipSettings;

/**
 * The daemon's whole configuration: one immutable tree, loaded once by {@link ConfigLoader}.
 * Every key and default is documented in {@code gateway/CONFIG.md}.
 */
public record PeerlineConfig(Site site, Path data, SipSettings sip, Admin admin, Log log, Overlay overlay,
                             org.peerline.relay.RelaySettings relay, Dns dns, Phones phones, Path source) {

    public PeerlineConfig {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(sip, "sip");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(phones, "phones");
    }

    /** The site this box serves: a name for humans and the SIP domain (also the digest realm). */
    public record Site(String name, String domain) {
    }

    /**
     * The admin API and page: where the plain HTTP API listens, the optional bearer token it requires, and where
     * the page is served over HTTPS (null: no HTTPS).
     */
    public record Admin(String host, int port, String token, ListenAddress.HostPort https) {
    }

    /** The admin page's HTTPS address unless configured otherwise. */
    public static final int DEFAULT_HTTPS_PORT = 8443;

    /**
     * The box's membership in the P2P overlay; null (no {@code overlay:} section) for a box that runs alone.
     *
     * @param listen      where other boxes open TLS links to this one; also the address this box gives them
     * @param bootstrap   boxes to join through, tried in order; empty (and no {@code bootstrapDns}): this box
     *                    starts a new overlay
     * @param bootstrapDns zones whose {@code _p2psip._tcp} SRV records name boxes to join through ({@code ZONE}
     *                    or {@code ZONE@DNS-SERVER:PORT}), looked up at each attempt
     * @param credentials the directory with node.key, node.crt and ca.crt ({@code peerline overlay ca issue})
     * @param capture     for debugging: a pcap file that receives the decrypted stream of every link; null for none
     * @param recordLifetime how long this box's users' records outlive it if it dies (refreshed at half of it)
     * @param sipUri      where other boxes send requests for this box's users; null: {@code sipListen} as a URI
     * @param enroll      where the box holding the federation's CA serves enrollment by invitation (HTTPS)
     * @param sipListen   the SIP-over-TLS socket where boxes send each other requests, authenticated both ways
     *                    with federation certificates
     * @param redirect    domains whose users this box's phones reach by a 302 to the serving box rather than
     *                    through this box ("*": every domain); empty: proxy every call
     * @param advertise   where other boxes dial this one's overlay links when not at {@code listen} (a router's
     *                    public address that forwards to it); null: {@code listen}
     * @param reachable   other boxes can open connections to this one; false behind a NAT without port forwarding
     *                    (its users are then published as reachable through the overlay, and it connects out)
     */
    public record Overlay(ListenAddress.HostPort listen, List<ListenAddress.HostPort> bootstrap, List<String> bootstrapDns,
                          Path credentials,
                          Path capture, Duration recordLifetime, String sipUri, ListenAddress.HostPort enroll,
                          ListenAddress.HostPort sipListen, List<String> redirect, ListenAddress.HostPort advertise,
                          boolean reachable) {
        public Overlay {
            bootstrap = List.copyOf(bootstrap);
            bootstrapDns = List.copyOf(bootstrapDns);
            redirect = List.copyOf(redirect);
        }
    }

    /** Root log level and, for debugging, the SIP stack's own level. (The media relay: {@code RelaySettings}, null when off.) */
    public record Log(String level, String sipStackLevel) {
    }

    /**
     * DNS kept pointing at the live boxes (the dns-publisher module); null (no {@code dns:} section) for none.
     *
     * @param embedded  serve the zone from an embedded authoritative server at {@code listen} (else write it to
     *                  {@code server} by RFC 2136 with {@code tsig})
     * @param zone      the zone, e.g. {@code example.net}: the SIP domains inside it get NAPTR and SRV records
     * @param address   the address published for this box ({@code <site>.box.<zone>}); null: the host of its SIP URI
     * @param required  a server that cannot start stops the daemon (false for the embedded defaults' own)
     */
    public record Dns(boolean embedded, String zone, ListenAddress.HostPort listen, ListenAddress.HostPort server,
                      Tsig tsig, Duration ttl, String address, int priority, int weight, boolean required) {
    }

    /** A TSIG key (RFC 8945): its name, algorithm (e.g. hmac-sha256) and base64 secret. */
    public record Tsig(String name, String algorithm, String secret) {
        @Override
        public String toString() {
            return "Tsig[" + name + ", " + algorithm + ", secret hidden]";
        }
    }

    /**
     * Phone auto-provisioning ({@code provisioning:}): what the configuration files phones fetch by MAC say, and
     * where else than the admin address they are served.
     *
     * @param http      a provisioning-only HTTP address besides the admin address; null for none
     * @param tftp      the TFTP server's address (port 69 unless given); null: no TFTP
     * @param sipServer the host phones register to; null: the box's own address (as {@code relay.address: auto})
     * @param sipPort   the port phones register to
     * @param transport {@code udp} or {@code tcp}
     * @param timeZone  the phones' time zone
     * @param ntp       the phones' NTP server
     * @param codecs    audio codecs in order of preference (PCMU, PCMA, G722, G729)
     * @param digest    phones must authenticate over HTTP (digest: their MAC and SIP password)
     */
    public record Phones(ListenAddress.HostPort http, ListenAddress.HostPort tftp, String sipServer, int sipPort,
                         String transport, java.time.ZoneId timeZone, String ntp, List<String> codecs,
                         boolean digest) {
        public Phones {
            codecs = List.copyOf(codecs);
        }

        /** The defaults: the admin address only, no TFTP, this machine's time zone, PCMU, PCMA and G722. */
        static Phones defaults() {
            return new Phones(null, null, null, 5060, "udp", java.time.ZoneId.systemDefault(), "pool.ntp.org",
                    List.of("PCMU", "PCMA", "G722"), false);
        }
    }

    /** The DNS port of the embedded defaults (and of {@code dns.listen}'s default). */
    public static final int DEFAULT_DNS_PORT = 5353;

    /** Embedded defaults: what {@code java -jar peerline.jar} runs with no arguments. */
    public static PeerlineConfig defaults() {
        SipSettings sip = new SipSettings(
                List.of(ListenAddress.parse("udp:0.0.0.0:5060"), ListenAddress.parse("tcp:0.0.0.0:5060")),
                "peerline.demo",
                SipSettings.Registrar.DEFAULTS,
                Duration.ofSeconds(300),
                SipSettings.Security.DEFAULTS,
                List.<Cidr>of(),
                SipSettings.DEFAULT_TIMER_C);
        return new PeerlineConfig(
                new Site("demo", "peerline.demo"),
                Path.of("peerline-data"),
                sip,
                new Admin("127.0.0.1", 8080, null, new ListenAddress.HostPort("0.0.0.0", DEFAULT_HTTPS_PORT)),
                new Log("info", "warn"),
                null,
                defaultRelay(sip),
                new Dns(true, "peerline.demo", new ListenAddress.HostPort("127.0.0.1", DEFAULT_DNS_PORT), null, null,
                        Duration.ofSeconds(30), null, 10, 10, false),
                Phones.defaults(),
                null);
    }

    /** The relay's default port range: 500 call legs, RTP on even ports. */
    public static final String DEFAULT_RELAY_PORTS = "30000-30999";
    /** How long a relayed stream may forward nothing before its ports are freed. */
    public static final Duration DEFAULT_RELAY_IDLE = Duration.ofSeconds(60);

    /** The relay a box runs when its configuration says nothing of it: on, at the box's own address ({@code auto}). */
    static org.peerline.relay.RelaySettings defaultRelay(SipSettings sip) {
        return new org.peerline.relay.RelaySettings(org.peerline.gateway.sip.LocalAddress.forMedia(sip), 30000, 30999, DEFAULT_RELAY_IDLE);
    }
}
