package org.peerline.gateway.daemon;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.peerline.gateway.routing.Cidr;
import org.peerline.gateway.sip.ListenAddress;
import org.peerline.gateway.sip.SipSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a YAML configuration file into a {@link PeerlineConfig}. Keys absent from the file take the
 * embedded defaults; unknown keys and bad values are refused with file, line and reason.
 * The reference of every key is {@code gateway/CONFIG.md}.
 */
public final class ConfigLoader {
    private static final Pattern DOMAIN =
            Pattern.compile("(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern SIP_URI = Pattern.compile("sips?:[^\\s@<>\"]+");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[?[0-9A-Fa-f:.]+]?");
    /** The codecs phone configuration files can name, as their SDP encoding names. */
    private static final List<String> PHONE_CODECS = List.of("PCMU", "PCMA", "G722", "G729");
    private static final Pattern SITE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

    private ConfigLoader() {
    }

    /** Loads and validates {@code file}; every problem is a {@link ConfigException} naming file and line. */
    public static PeerlineConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
        return parse(file, text);
    }

    /** Parses YAML text that came from {@code file} (used for messages only). */
    public static PeerlineConfig parse(Path file, String text) throws ConfigException {
        Node root = compose(file, text);
        PeerlineConfig d = PeerlineConfig.defaults();
        if (root == null) {
            return withSource(d, file);
        }
        YamlSection top = YamlSection.root(file, root);

        PeerlineConfig.Site site = d.site();
        Optional<YamlSection> siteSection = top.section("site");
        if (siteSection.isPresent()) {
            YamlSection s = siteSection.get();
            String name = s.parsed("name", site.name(), v -> check(v, SITE_NAME, "a site name of letters, digits, '.', '_' or '-'"));
            String domain = s.parsed("domain", site.domain(),
                    v -> check(v.toLowerCase(Locale.ROOT), DOMAIN, "a DNS domain name such as site-a.example"));
            s.finish();
            site = new PeerlineConfig.Site(name, domain);
        }

        Path data = top.parsed("data", d.data(), ConfigLoader::path);
        SipSettings sip = sip(top.section("sip"), d.sip(), site.domain());
        PeerlineConfig.Admin admin = admin(top.section("admin"), d.admin());
        PeerlineConfig.Log log = log(top.section("log"), d.log());
        PeerlineConfig.Overlay overlay = overlay(top.section("overlay"), data);
        org.peerline.relay.RelaySettings relay = relay(top.section("relay"), sip);
        PeerlineConfig.Dns dns = dns(top.section("dns"), site.domain());
        PeerlineConfig.Phones phones = phones(top.section("provisioning"));
        top.finish();
        return new PeerlineConfig(site, data, sip, admin, log, overlay, relay, dns, phones, file);
    }

    private static SipSettings sip(Optional<YamlSection> section, SipSettings d, String domain) throws ConfigException {
        if (section.isEmpty()) {
            return new SipSettings(d.listen(), domain, d.registrar(), d.nonceLifetime(), d.security(), d.trusted(),
                    d.timerC());
        }
        YamlSection s = section.get();
        List<ListenAddress> listen = s.list("listen", d.listen(), ListenAddress::parse);
        Set<String> seen = new HashSet<>();
        for (ListenAddress a : listen) {
            if (a.transport() == ListenAddress.Transport.TLS) {
                throw s.error("'sip.listen' entry " + a + ": TLS carries the federation's traffic between boxes, on"
                        + " 'overlay.sip-listen'; phones use udp or tcp");
            }
            if (!seen.add(a.toString())) {
                throw s.error("'sip.listen' names " + a + " twice");
            }
        }
        if (listen.isEmpty()) {
            throw s.error("'sip.listen' is empty: the gateway would accept no SIP traffic");
        }

        SipSettings.Registrar reg = d.registrar();
        Optional<YamlSection> regSection = s.section("registrar");
        if (regSection.isPresent()) {
            YamlSection r = regSection.get();
            int min = r.integer("min-expires", reg.minExpires(), 1, 86_400);
            int max = r.integer("max-expires", reg.maxExpires(), 1, 604_800);
            int def = r.integer("default-expires", reg.defaultExpires(), 1, 604_800);
            int contacts = r.integer("max-contacts", reg.maxContacts(), 1, 100);
            r.finish();
            try {
                reg = new SipSettings.Registrar(min, max, def, contacts);
            } catch (IllegalArgumentException e) {
                throw r.error("'sip.registrar': " + e.getMessage());
            }
        }

        var nonceLifetime = s.duration("nonce-lifetime", d.nonceLifetime());
        if (nonceLifetime.toSeconds() < 10 || nonceLifetime.toHours() > 24) {
            throw s.error("'sip.nonce-lifetime' must be between 10s and 24h, got " + nonceLifetime.toSeconds() + "s");
        }

        SipSettings.Security sec = d.security();
        Optional<YamlSection> secSection = s.section("security");
        if (secSection.isPresent()) {
            YamlSection x = secSection.get();
            sec = new SipSettings.Security(
                    x.integer("rate-limit", sec.rateLimit(), 0, 1_000_000),
                    x.integer("rate-burst", sec.rateBurst(), 0, 1_000_000),
                    x.integer("auth-failures", sec.authFailures(), 0, 1_000_000),
                    x.duration("failure-window", sec.failureWindow()),
                    x.duration("block-time", sec.blockTime()));
            x.finish();
        }
        List<Cidr> trusted = s.list("trusted", d.trusted(), Cidr::parse);
        var timerC = s.duration("timer-c", d.timerC());
        if (timerC.toSeconds() < 1 || timerC.toMinutes() > 30) {
            throw s.error("'sip.timer-c' must be between 1s and 30m, got " + timerC.toSeconds() + "s");
        }
        s.finish();
        return new SipSettings(listen, domain, reg, nonceLifetime, sec, trusted, timerC);
    }

    private static PeerlineConfig.Admin admin(Optional<YamlSection> section, PeerlineConfig.Admin d)
            throws ConfigException {
        if (section.isEmpty()) {
            return d;
        }
        YamlSection s = section.get();
        ListenAddress.HostPort listen = s.parsed("listen", new ListenAddress.HostPort(d.host(), d.port()),
                ListenAddress.HostPort::parse);
        String token = s.string("token", d.token());
        if (token != null && token.length() < 16) {
            throw s.error("'admin.token' must be at least 16 characters");
        }
        ListenAddress.HostPort https = s.parsed("https", d.https(), v -> v.equals("off") ? null
                : ListenAddress.HostPort.parse(v));
        s.finish();
        return new PeerlineConfig.Admin(listen.host(), listen.port(), token, https);
    }

    private static PeerlineConfig.Overlay overlay(Optional<YamlSection> section, Path data) throws ConfigException {
        if (section.isEmpty()) {
            return null;
        }
        YamlSection s = section.get();
        ListenAddress.HostPort listen = s.parsed("listen", new ListenAddress.HostPort("127.0.0.1", 6084),
                ListenAddress.HostPort::parse);
        if (isWildcard(listen.host())) {
            throw s.error("'overlay.listen' must be the address other boxes reach this one at (it is also the"
                    + " address this box gives them), not the wildcard " + listen.host());
        }
        List<String> entries = s.list("bootstrap", List.of(), v -> v);
        List<ListenAddress.HostPort> bootstrap = new ArrayList<>();
        List<String> bootstrapDns = new ArrayList<>();
        for (String e : entries) {
            try {
                if (e.startsWith("dns:")) {
                    bootstrapDns.add(dnsBootstrap(e.substring(4)));
                } else {
                    bootstrap.add(ListenAddress.HostPort.parse(e));
                }
            } catch (IllegalArgumentException x) {
                throw s.error("'overlay.bootstrap' entry \"" + e + "\": " + x.getMessage());
            }
        }
        for (ListenAddress.HostPort b : bootstrap) {
            if (b.port() == 0 || isWildcard(b.host())) {
                throw s.error("'overlay.bootstrap' entry " + b.host() + ":" + b.port() + " is not an address to dial");
            }
            if (b.equals(listen)) {
                throw s.error("'overlay.bootstrap' names this box's own address " + b.host() + ":" + b.port());
            }
        }
        Path credentials = s.parsed("credentials", data.resolve("overlay").resolve("node"), ConfigLoader::path);
        Path capture = s.parsed("capture", null, ConfigLoader::path);
        Duration lifetime = s.duration("record-lifetime", Duration.ofHours(1));
        if (lifetime.toSeconds() < 60 || lifetime.toDays() > 7) {
            throw s.error("'overlay.record-lifetime' must be between 60s and 7 days, got " + lifetime.toSeconds() + "s");
        }
        String sipUri = s.parsed("sip-uri", null, v -> check(v, SIP_URI, "a SIP URI such as sip:192.0.2.10:5060;transport=tcp"));
        ListenAddress.HostPort enroll = s.parsed("enroll", new ListenAddress.HostPort(listen.host(),
                listen.port() == 0 ? 0 : listen.port() == 65535 ? 65534 : listen.port() + 1), ListenAddress.HostPort::parse);
        ListenAddress.HostPort sipListen = s.parsed("sip-listen", new ListenAddress.HostPort(listen.host(), 5061),
                ListenAddress.HostPort::parse);
        if (sipListen.port() == 0) {
            throw s.error("'overlay.sip-listen' needs a port: other boxes send this box's calls there");
        }
        List<String> redirect = s.list("redirect", List.of(),
                v -> v.equals("*") ? v : check(v.toLowerCase(Locale.ROOT), DOMAIN, "a SIP domain such as site-b.example, or *"));
        ListenAddress.HostPort advertise = s.parsed("advertise", null, ListenAddress.HostPort::parse);
        if (advertise != null && (advertise.port() == 0 || isWildcard(advertise.host()))) {
            throw s.error("'overlay.advertise' must be an address other boxes can dial (host:port), got "
                    + advertise.host() + ":" + advertise.port());
        }
        boolean reachable = s.bool("reachable", true);
        if (!reachable && bootstrap.isEmpty() && bootstrapDns.isEmpty()) {
            throw s.error("'overlay.reachable: false' needs an 'overlay.bootstrap': a box nobody can connect to joins"
                    + " the overlay through a box it can reach");
        }
        s.finish();
        return new PeerlineConfig.Overlay(listen, bootstrap, bootstrapDns, credentials, capture, lifetime, sipUri, enroll,
                sipListen, redirect, advertise, reachable);
    }

    /** A {@code dns:} bootstrap entry's rest: {@code ZONE} or {@code ZONE@HOST:PORT} (the DNS server to ask). */
    private static String dnsBootstrap(String v) {
        int at = v.indexOf('@');
        String zone = at < 0 ? v : v.substring(0, at);
        check(zone.toLowerCase(Locale.ROOT), DOMAIN, "dns:ZONE or dns:ZONE@DNS-SERVER:PORT, with a DNS zone such as example.net");
        if (at >= 0) {
            ListenAddress.HostPort.parse(v.substring(at + 1));
        }
        return v.toLowerCase(Locale.ROOT);
    }

    /**
     * The media relay: on unless {@code relay.enabled} is false; without a section, on with every default
     * ({@code address: auto}, the box's own address towards its default route).
     */
    private static org.peerline.relay.RelaySettings relay(Optional<YamlSection> section, SipSettings sip)
            throws ConfigException {
        if (section.isEmpty()) {
            return PeerlineConfig.defaultRelay(sip);
        }
        YamlSection s = section.get();
        if (!s.bool("enabled", true)) {
            s.finish();
            return null;
        }
        String address = s.parsed("address", "auto", v -> v.equals("auto") ? v
                : advertisedIp("the IP address phones send media to (it goes into SDP), or auto").apply(v));
        if (address.equals("auto")) {
            address = org.peerline.gateway.sip.LocalAddress.forMedia(sip);
        }
        String wanAddress = s.parsed("wan-address", address, advertisedIp("the IP address other boxes send media to"
                + " (this box's WAN address, or the public address of a router that forwards relay.ports to it)"));
        String ports = s.string("ports", PeerlineConfig.DEFAULT_RELAY_PORTS);
        Duration idle = s.duration("idle-timeout", PeerlineConfig.DEFAULT_RELAY_IDLE);
        boolean ice = s.bool("ice", true);
        int stunPort = s.integer("stun-port", org.peerline.relay.RelaySettings.DEFAULT_STUN_PORT, 0, 65535);
        s.finish();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)-(\\d+)").matcher(ports);
        if (!m.matches()) {
            throw s.error("'relay.ports' must be a range like 30000-30999, got \"" + ports + "\"");
        }
        try {
            return new org.peerline.relay.RelaySettings(address, wanAddress, Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)), idle, ice, stunPort);
        } catch (IllegalArgumentException e) {
            throw s.error("'relay': " + e.getMessage());
        }
    }

    /** TSIG algorithms a DNS server may share with the box (RFC 8945 §6). */
    private static final List<String> TSIG_ALGORITHMS = List.of("hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224",
            "hmac-sha1");

    /** Phone auto-provisioning: the defaults without a section. */
    private static PeerlineConfig.Phones phones(Optional<YamlSection> section) throws ConfigException {
        PeerlineConfig.Phones d = PeerlineConfig.Phones.defaults();
        if (section.isEmpty()) {
            return d;
        }
        YamlSection s = section.get();
        ListenAddress.HostPort http = s.parsed("http", null, ListenAddress.HostPort::parse);
        ListenAddress.HostPort tftp = s.parsed("tftp", null, v -> v.contains(":") ? ListenAddress.HostPort.parse(v)
                : new ListenAddress.HostPort(v, 69));
        ListenAddress.HostPort server = s.parsed("sip-server", null, v -> v.contains(":")
                ? ListenAddress.HostPort.parse(v) : new ListenAddress.HostPort(check(v, HOST, "a host name or address"),
                d.sipPort()));
        String transport = s.parsed("transport", d.transport(), v -> check(v.toLowerCase(Locale.ROOT),
                Pattern.compile("udp|tcp"), "udp or tcp"));
        java.time.ZoneId zone = s.parsed("timezone", d.timeZone(), v -> {
            try {
                return java.time.ZoneId.of(v);
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("expected a time zone such as Europe/Paris or UTC, got \"" + v
                        + "\"");
            }
        });
        String ntp = s.parsed("ntp", d.ntp(), v -> check(v, HOST, "a host name or address"));
        List<String> codecs = s.list("codecs", d.codecs(), v -> {
            if (!PHONE_CODECS.contains(v.toUpperCase(Locale.ROOT))) {
                throw new IllegalArgumentException("expected some of " + PHONE_CODECS + ", got \"" + v + "\"");
            }
            return v;
        });
        if (codecs.isEmpty()) {
            throw s.error("'provisioning.codecs' is empty; give at least one of " + PHONE_CODECS);
        }
        boolean digest = s.parsed("http-auth", "none", v -> check(v, Pattern.compile("none|digest"), "none or digest"))
                .equals("digest");
        if (digest && tftp != null) {
            throw s.error("'provisioning.tftp' cannot be used with 'http-auth: digest': TFTP has no authentication,"
                    + " so any client could fetch what HTTP protects");
        }
        s.finish();
        return new PeerlineConfig.Phones(http, tftp, server == null ? null : server.host(),
                server == null ? d.sipPort() : server.port(), transport, zone, ntp,
                codecs.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList(), digest);
    }

    /** The DNS publisher: none without a section. */
    private static PeerlineConfig.Dns dns(Optional<YamlSection> section, String siteDomain) throws ConfigException {
        if (section.isEmpty()) {
            return null;
        }
        YamlSection s = section.get();
        String mode = s.parsed("mode", "embedded", v -> check(v, Pattern.compile("embedded|rfc2136"), "embedded or rfc2136"));
        String zone = s.parsed("zone", siteDomain, v -> check(v.toLowerCase(Locale.ROOT).replaceAll("\\.$", ""), DOMAIN,
                "a DNS zone such as example.net"));
        ListenAddress.HostPort listen = s.parsed("listen", new ListenAddress.HostPort("127.0.0.1",
                PeerlineConfig.DEFAULT_DNS_PORT), ListenAddress.HostPort::parse);
        ListenAddress.HostPort server = s.parsed("server", new ListenAddress.HostPort("127.0.0.1", 53),
                ListenAddress.HostPort::parse);
        PeerlineConfig.Tsig tsig = null;
        Optional<YamlSection> key = s.section("tsig");
        if (key.isPresent()) {
            YamlSection k = key.get();
            String name = k.parsed("name", null, v -> check(v, Pattern.compile("[A-Za-z0-9._-]+"), "a key name"));
            String algorithm = k.parsed("algorithm", "hmac-sha256", v -> {
                if (!TSIG_ALGORITHMS.contains(v.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("expected one of " + TSIG_ALGORITHMS + ", got \"" + v + "\"");
                }
                return v.toLowerCase(Locale.ROOT);
            });
            String secret = k.parsed("secret", null, v -> {
                try {
                    if (java.util.Base64.getDecoder().decode(v.trim()).length < 16) {
                        throw new IllegalArgumentException("the secret is shorter than 16 bytes");
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("expected the key's secret in base64 (as in the server's"
                            + " key statement): " + e.getMessage());
                }
                return v.trim();
            });
            if (name == null || secret == null) {
                throw k.error("'dns.tsig' needs a name and a secret");
            }
            k.finish();
            tsig = new PeerlineConfig.Tsig(name, algorithm, secret);
        }
        if (mode.equals("rfc2136") && tsig == null) {
            throw s.error("'dns.mode: rfc2136' needs 'dns.tsig' (name, algorithm, secret): updates must be signed");
        }
        Duration ttl = s.duration("ttl", Duration.ofSeconds(30));
        if (ttl.toSeconds() < 5 || ttl.toHours() > 1) {
            throw s.error("'dns.ttl' must be between 5s and 1h, got " + ttl.toSeconds() + "s");
        }
        String address = s.parsed("address", "auto", v -> v.equals("auto") ? v
                : advertisedIp("the IP address published for this box, or auto").apply(v));
        int priority = s.integer("priority", 10, 0, 65535);
        int weight = s.integer("weight", 10, 0, 65535);
        s.finish();
        return new PeerlineConfig.Dns(mode.equals("embedded"), zone, listen, server, tsig, ttl,
                address.equals("auto") ? null : address, priority, weight, true);
    }

    /** A literal IP address that goes into SDP: no host name, no wildcard. */
    private static java.util.function.Function<String, String> advertisedIp(String expected) {
        return v -> {
            if (isWildcard(v) || !v.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                throw new IllegalArgumentException("expected " + expected + ", got \"" + v + "\"");
            }
            return v;
        };
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static PeerlineConfig.Log log(Optional<YamlSection> section, PeerlineConfig.Log d) throws ConfigException {
        if (section.isEmpty()) {
            return d;
        }
        YamlSection s = section.get();
        String level = s.parsed("level", d.level(), ConfigLoader::level);
        String stack = s.parsed("sip-stack", d.sipStackLevel(), ConfigLoader::level);
        s.finish();
        return new PeerlineConfig.Log(level, stack);
    }

    private static String level(String v) {
        String l = v.toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(l)) {
            throw new IllegalArgumentException("log level must be one of trace, debug, info, warn, error, off; got \""
                    + v + "\"");
        }
        return l;
    }

    private static Path path(String v) {
        if (v.isBlank()) {
            throw new IllegalArgumentException("path is empty");
        }
        try {
            return Path.of(v);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: " + e.getMessage(), e);
        }
    }

    private static String check(String v, Pattern p, String what) {
        if (!p.matcher(v).matches()) {
            throw new IllegalArgumentException("expected " + what + ", got \"" + v + "\"");
        }
        return v;
    }

    private static PeerlineConfig withSource(PeerlineConfig c, Path file) {
        return new PeerlineConfig(c.site(), c.data(), c.sip(), c.admin(), c.log(), c.overlay(), c.relay(), c.dns(), c.phones(), file);
    }

    private static Node compose(Path file, String text) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(10).build();
        try (Reader r = new java.io.StringReader(text)) {
            return new Compose(settings).composeReader(r).orElse(null);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new ConfigException(file, line, "not valid YAML: " + e.getProblem());
        } catch (YamlEngineException | IOException e) {
            throw new ConfigException(file, 0, "not valid YAML: " + e.getMessage());
        }
    }

}
