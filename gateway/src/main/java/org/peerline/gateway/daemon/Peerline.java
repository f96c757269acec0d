package org.peerline.gateway.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.peerline.gateway.routing.Binding;
import org.peerline.gateway.routing.BindingStore;
import org.peerline.gateway.routing.BindingTable;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.gateway.federation.Enrollment;
import org.peerline.gateway.federation.InvitationStore;
import org.peerline.gateway.overlay.ExtensionPublisher;
import org.peerline.gateway.overlay.OverlayApi;
import org.peerline.gateway.overlay.OverlayDirectory;
import org.peerline.gateway.overlay.OverlayService;
import org.peerline.gateway.overlay.RegistrationPublisher;
import org.peerline.gateway.overlay.DnsPublishing;
import org.peerline.gateway.overlay.RelayOffering;
import org.peerline.gateway.sip.ListenAddress;
import org.peerline.gateway.sip.SipEdge;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.relay.MediaRelay;
import org.peerline.overlay.security.Credentials;
import org.peerline.overlay.security.OverlayCa;
import org.peerline.provisioning.api.AdminServer;
import org.peerline.provisioning.api.PhoneFiles;
import org.peerline.provisioning.phones.ProfileSite;
import org.peerline.provisioning.api.Provisioning;
import org.peerline.provisioning.api.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: the one place where modules meet. Starts provisioning, the binding store, the
 * SIP edge, the admin API and the overlay (when configured) in that order, and closes them in reverse.
 */
public final class Peerline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Peerline.class);

    private final List<AutoCloseable> parts;
    private final SipEdge sip;
    private final AdminServer admin;
    private final Provisioning provisioning;
    private final OverlayService overlay;
    private final MediaRelay relay;
    private final RegistrationPublisher publisher;
    private final InetSocketAddress adminPage;

    private Peerline(List<AutoCloseable> parts, SipEdge sip, AdminServer admin, InetSocketAddress adminPage,
                     Provisioning provisioning, OverlayService overlay, RegistrationPublisher publisher,
                     MediaRelay relay) {
        this.parts = parts;
        this.adminPage = adminPage;
        this.relay = relay;
        this.overlay = overlay;
        this.publisher = publisher;
        this.sip = sip;
        this.admin = admin;
        this.provisioning = provisioning;
    }

    /**
     * What the configuration files of provisioned phones say about the box: where to register (configured, or the
     * box's own address and its SIP port for the configured transport), time zone, NTP and codecs.
     */
    static ProfileSite phoneSite(PeerlineConfig cfg) {
        PeerlineConfig.Phones p = cfg.phones();
        int port = p.sipPort();
        if (p.sipServer() == null) {
            for (ListenAddress l : cfg.sip().listen()) {
                if (l.transport().name().equalsIgnoreCase(p.transport())) {
                    port = l.port();
                    break;
                }
            }
        }
        String server = p.sipServer() != null ? p.sipServer() : org.peerline.gateway.sip.LocalAddress.forMedia(cfg.sip());
        return new ProfileSite(cfg.site().domain(), server, port, p.transport(), p.timeZone(), p.ntp(), p.codecs());
    }

    /** Starts everything; on failure closes what was started and rethrows. */
    public static Peerline start(PeerlineConfig cfg, TimeSource time) throws IOException, ProvisioningException {
        List<AutoCloseable> started = new ArrayList<>();
        boolean ok = false;
        try {
            AdminPage.applyStagedRestore(cfg);
            Provisioning provisioning = Provisioning.open(cfg.data(), cfg.site().domain());
            started.add(0, provisioning);
            BindingTable bindings = new BindingTable(cfg.sip().registrar().maxContacts());
            BindingStore store = BindingStore.open(cfg.data(), 200);
            started.add(0, store);
            List<Binding> restored = store.load(time.millis());
            bindings.restore(restored, time.millis());
            bindings.addListener(store);
            LOG.info("restored {} registrations from {}", restored.size(), cfg.data().resolve("bindings.db"));
            SipEdge.Federation federation = null;
            if (cfg.overlay() != null) {
                ListenAddress.HostPort tls = cfg.overlay().sipListen();
                federation = new SipEdge.Federation(new ListenAddress(ListenAddress.Transport.TLS, tls.host(), tls.port()),
                        OverlayService.credentials(cfg.overlay().credentials()), java.util.Set.copyOf(cfg.overlay().redirect()),
                        hostPort(cfg.overlay().sipUri()), cfg.overlay().reachable());
            }
            SipEdge sip = SipEdge.start(cfg.sip(), provisioning.users(), bindings, time, federation);
            started.add(0, sip);
            MediaRelay relay = null;
            if (cfg.relay() != null) {
                // one event loop per core, up to 4: on 2 cores, 2 loops held 500 calls at p99 1.8 ms where one
                // loop's p99 was 20 ms (relay/README.md)
                relay = MediaRelay.start(cfg.relay(), Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
                started.add(0, relay);
                sip.relayMedia(relay);
            }
            sip.acceptPhonePasswords(provisioning.phones());
            AdminServer admin = AdminServer.start(new InetSocketAddress(cfg.admin().host(), cfg.admin().port()),
                    cfg.admin().token(), provisioning);
            started.add(0, admin);
            InetSocketAddress page = null;
            if (cfg.admin().https() != null) {
                page = admin.addHttps(new InetSocketAddress(cfg.admin().https().host(), cfg.admin().https().port()),
                        AdminTls.context(cfg.data().resolve("admin"), cfg.site().domain(),
                                org.peerline.gateway.sip.LocalAddress.forMedia(cfg.sip())));
            }
            admin.keepSetupCodeIn(cfg.data().resolve("admin").resolve("setup-code"));
            if (admin.setupCode() != null) {
                LOG.warn("no admin password yet: open the admin page and set one with the setup code {}, or run"
                        + " 'peerline admin password'", admin.setupCode());
            }
            AdminPage.register(admin, cfg, provisioning);
            PhoneFiles phoneFiles = new PhoneFiles(provisioning.phones(), provisioning.users(), phoneSite(cfg),
                    time::millis);
            admin.servePhoneFiles(phoneFiles, cfg.phones().digest());
            if (cfg.phones().http() != null) {
                started.add(0, AdminServer.startPhoneFilesOnly(new InetSocketAddress(cfg.phones().http().host(),
                        cfg.phones().http().port()), phoneFiles, cfg.phones().digest()));
            }
            if (cfg.phones().tftp() != null) {
                started.add(0, phoneFiles.serveTftp(new InetSocketAddress(cfg.phones().tftp().host(),
                        cfg.phones().tftp().port())));
            }
            admin.addJsonGet("/api/registrations", () -> registrations(bindings, time));
            Metrics metrics = new Metrics(bindings, time, sip, relay);
            admin.addTextGet("/metrics", Metrics.CONTENT_TYPE, metrics::scrape);
            MediaRelay r = relay;
            admin.addJsonGet("/api/relay", () -> relayed(r, sip.relayedCalls()));
            OverlayService overlay = null;
            RegistrationPublisher publisher = null;
            ExtensionPublisher extensions = null;
            RelayOffering relays = null;
            if (cfg.overlay() != null) {
                PeerlineConfig.Overlay o = cfg.overlay();
                List<PeerAddress> bootstrap = new ArrayList<>();
                o.bootstrap().forEach(b -> bootstrap.add(new PeerAddress(b.host(), b.port())));
                overlay = OverlayService.start(o.credentials(), new PeerAddress(o.listen().host(), o.listen().port()),
                        o.advertise() == null ? null : new PeerAddress(o.advertise().host(), o.advertise().port()),
                        !o.reachable(), bootstrap, o.bootstrapDns(), o.capture(), cfg.data().resolve("overlay").resolve("peers"));
                started.add(0, overlay);
                String sipUri = o.sipUri() != null ? o.sipUri() : boxUri(cfg, sip.federationPort());
                // a box nobody can connect to publishes a route through the overlay instead of its URI (RFC 7904)
                publisher = new RegistrationPublisher(overlay.overlay(), o.reachable() ? sipUri : null,
                        o.recordLifetime());
                bindings.addListener(publisher);
                started.add(0, publisher);
                extensions = new ExtensionPublisher(overlay.overlay(), provisioning.users(),
                        cfg.site().domain(), o.recordLifetime());
                started.add(0, extensions);
                String stun = relay != null && o.reachable() ? serveStun(relay) : null;
                relays = new RelayOffering(overlay.overlay(), relay, sipUri, o.reachable(), stun, cfg.site().name());
                sip.stunServerForIce(relays::stunServer);
                started.add(0, relays);
                RegistrationPublisher p = publisher;
                ExtensionPublisher x = extensions;
                RelayOffering offering = relays;
                overlay.joined().thenRun(() -> {
                    p.publishAll(bindings.all(time.millis()));
                    x.start();
                    offering.start();
                });
                ListenAddress.HostPort sipAt = hostPort(sipUri);
                OverlayDirectory directory = new OverlayDirectory(overlay.overlay(), extensions,
                        new PeerAddress(sipAt.host(), sipAt.port()), offering);
                sip.federate(directory);
                metrics.overlay(overlay.overlay(), directory);
                overlay.overlay().onAppAttach((origin, application, candidates) -> {
                    if (application != OverlayDirectory.SIPS) {
                        return java.util.concurrent.CompletableFuture.failedFuture(
                                new IllegalArgumentException("no application " + application + " on this box"));
                    }
                    LOG.info("overlay: box {} asks this box to connect to it at {} (AppAttach)", origin, candidates);
                    return sip.connectTo(candidates).thenApply(connected -> new Overlay.AppAttachResult(connected,
                            List.of(new PeerAddress(sipAt.host(), sipAt.port()))));
                });
                Path caDir = cfg.data().resolve("overlay").resolve("ca");
                if (Files.exists(caDir.resolve("ca.key"))) {
                    // this box holds the federation's CA: it enrolls invited boxes
                    OverlayCa ca = OverlayCa.load(Files.readString(caDir.resolve("overlay-name")).trim(), caDir);
                    started.add(0, Enrollment.start(new InetSocketAddress(o.enroll().host(), o.enroll().port()),
                            Credentials.load(o.credentials()), ca, new InvitationStore(caDir)));
                }
            }
            OverlayApi.register(admin, cfg.site().name(), overlay, publisher, extensions, relays);
            if (cfg.dns() != null) {
                DnsPublishing dns = dns(cfg, overlay, sip);
                if (dns != null) {
                    started.add(0, dns);
                    metrics.dns(dns);
                    admin.addJsonGet("/api/dns", dns::status);
                    if (overlay != null) {
                        overlay.joined().thenRun(dns::start);
                    } else {
                        dns.start();
                    }
                }
            }
            ok = true;
            return new Peerline(started, sip, admin, page, provisioning, overlay, publisher, relay);
        } catch (SQLException e) {
            throw new IOException("cannot open the binding store in " + cfg.data() + ": " + e.getMessage(), e);
        } finally {
            if (!ok) {
                closeAll(started);
            }
        }
    }

    /**
     * The DNS publisher of {@code cfg.dns()}: this box's entry (site, address, domain, ports) and the embedded
     * server or the RFC 2136 writer. Null when the embedded defaults' server cannot bind its port (logged); an
     * explicitly configured one that cannot is an error.
     */
    private static DnsPublishing dns(PeerlineConfig cfg, OverlayService overlay, SipEdge sip) throws IOException {
        PeerlineConfig.Dns d = cfg.dns();
        PeerlineConfig.Overlay o = cfg.overlay();
        String address = d.address();
        if (address == null) {
            String uri = o != null ? (o.sipUri() != null ? o.sipUri() : boxUri(cfg, sip.federationPort())) : null;
            ListenAddress.HostPort at = hostPort(uri);
            address = at != null ? at.host() : org.peerline.gateway.sip.LocalAddress.forMedia(cfg.sip());
        }
        int udp = 0;
        int tcp = 0;
        for (ListenAddress l : cfg.sip().listen()) {
            if (l.transport() == ListenAddress.Transport.UDP && udp == 0) {
                udp = l.port();
            } else if (l.transport() == ListenAddress.Transport.TCP && tcp == 0) {
                tcp = l.port();
            }
        }
        boolean reachable = o != null && o.reachable();
        int overlayPort = !reachable ? 0 : o.advertise() != null ? o.advertise().port() : o.listen().port();
        int sips = reachable ? sip.federationPort() : 0;
        org.peerline.overlay.api.NodeId id = overlay != null ? overlay.overlay().nodeId()
                : org.peerline.overlay.api.NodeId.of(new byte[org.peerline.overlay.api.NodeId.BYTES], 0);
        Overlay.DnsEntry self = new Overlay.DnsEntry(id, DnsPublishing.label(cfg.site().name()), List.of(address),
                List.of(cfg.site().domain()), udp, tcp, sips, overlayPort, d.priority(), d.weight());
        if (d.embedded()) {
            org.peerline.dns.EmbeddedDnsServer server;
            try {
                server = org.peerline.dns.EmbeddedDnsServer.start(new InetSocketAddress(d.listen().host(), d.listen().port()),
                        org.peerline.dns.ZoneRecords.absolute(d.zone()), d.ttl().toSeconds());
            } catch (IOException e) {
                if (d.required()) {
                    throw new IOException(e.getMessage() + " (dns.listen)", e);
                }
                LOG.warn("dns: no embedded DNS server: {}", e.getMessage());
                return null;
            }
            return new DnsPublishing(d.zone(), d.ttl().toSeconds(), overlay == null ? null : overlay.overlay(), self, server,
                    null, "the embedded server on " + server.address());
        }
        org.xbill.DNS.TSIG key = new org.xbill.DNS.TSIG(org.xbill.DNS.TSIG.algorithmToName(d.tsig().algorithm()),
                d.tsig().name(), d.tsig().secret());
        InetSocketAddress server = new InetSocketAddress(d.server().host(), d.server().port());
        return new DnsPublishing(d.zone(), d.ttl().toSeconds(), overlay == null ? null : overlay.overlay(), self, null,
                new org.peerline.dns.Rfc2136Publisher(org.peerline.dns.ZoneRecords.absolute(d.zone()), server, key,
                        Duration.ofSeconds(5)), d.server().host() + ":" + d.server().port() + " (RFC 2136)");
    }

    /**
     * Where other boxes reach this box's users: its federation TLS socket ({@code overlay.sip-listen}), with a
     * wildcard host replaced by the overlay address, which other boxes reach by definition.
     */
    static String boxUri(PeerlineConfig cfg, int boundPort) {
        ListenAddress.HostPort tls = cfg.overlay().sipListen();
        String host = tls.host().equals("0.0.0.0") || tls.host().equals("::") ? cfg.overlay().listen().host()
                : tls.host();
        return "sip:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort + ";transport=tls";
    }

    /** The host and port of a SIP URI (port 5061 if it has none, as it names a TLS socket); null for null. */
    private static ListenAddress.HostPort hostPort(String sipUri) {
        if (sipUri == null) {
            return null;
        }
        try {
            if (new gov.nist.javax.sip.address.AddressFactoryImpl().createURI(sipUri) instanceof javax.sip.address.SipURI su) {
                return new ListenAddress.HostPort(su.getHost(), su.getPort() > 0 ? su.getPort() : 5061);
            }
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException("overlay.sip-uri " + sipUri + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("overlay.sip-uri " + sipUri + " is not a SIP URI");
    }

    /**
     * Starts the STUN server of a box other boxes can connect to (boxes behind NATs learn their relays' public
     * addresses from it, for ICE) and returns where it answers, {@code wan-address:stun-port}; null when it is off
     * or its port is taken (then boxes behind NATs ask another box, or do without).
     */
    private static String serveStun(MediaRelay relay) {
        var settings = relay.settings();
        if (!settings.ice() || settings.stunPort() == 0) {
            return null;
        }
        try {
            relay.serveStun(new InetSocketAddress(settings.bindAddress(), settings.stunPort()));
            String host = settings.wanAddress().contains(":") ? "[" + settings.wanAddress() + "]" : settings.wanAddress();
            return host + ":" + settings.stunPort();
        } catch (java.io.IOException e) {
            LOG.warn("relay: no STUN server for other boxes: {} (relay.stun-port)", e.getMessage());
            return null;
        }
    }

    /**
     * The media relay now, for the admin API ({@code GET /api/relay}): its addresses, each relayed call's record
     * (sides, path and why), and every stream with, per leg, the relay's port, where it sends and what the phone
     * (or the other box's relay) sent: packets, bytes, loss, jitter, rejected.
     */
    private static Map<String, Object> relayed(MediaRelay relay, List<org.peerline.gateway.sip.RelayedCall> records) {
        if (relay == null) {
            throw new java.util.NoSuchElementException("this box relays no media (its configuration has no 'relay:' section)");
        }
        List<Map<String, Object>> streams = new ArrayList<>();
        for (org.peerline.relay.RelayCall c : relay.calls()) {
            streams.add(stream(c));
        }
        List<Map<String, Object>> calls = new ArrayList<>();
        for (org.peerline.gateway.sip.RelayedCall rc : records) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("callId", rc.callId());
            m.put("started", java.time.Instant.ofEpochMilli(rc.startedMillis()).toString());
            m.put("caller", rc.caller());
            m.put("callee", rc.callee());
            m.put("path", rc.path());
            m.put("why", rc.why());
            m.put("streams", rc.streams().stream().filter(s -> !s.closed()).map(Peerline::stream).toList());
            calls.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", relay.settings().address());
        out.put("wanAddress", relay.settings().wanAddress());
        out.put("bind", relay.settings().bindAddress());
        out.put("portsInUse", relay.portsInUse());
        out.put("calls", calls);
        out.put("streams", streams);
        return out;
    }

    private static Map<String, Object> stream(org.peerline.relay.RelayCall c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stream", c.id());
        m.put("caller", leg(c.a()));
        m.put("callee", leg(c.b()));
        return m;
    }

    private static Map<String, Object> leg(org.peerline.relay.Leg leg) {
        var s = leg.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", leg.rtpPort());
        var to = leg.rtpDestination();
        m.put("sendsTo", to == null ? null : to.getHostString() + ":" + to.getPort());
        m.put("packets", s.packets());
        m.put("bytes", s.bytes());
        m.put("lost", s.lost());
        m.put("jitterMillis", Math.round(s.jitterMillis() * 100) / 100.0);
        m.put("rejected", s.rejected());
        m.put("beforeSignalled", leg.early());
        m.put("undeliverable", leg.undeliverable());
        if (leg.ice() != null) {
            m.put("ice", leg.ice().status());
        }
        return m;
    }

    private static List<Map<String, Object>> registrations(BindingTable bindings, TimeSource time) {
        long now = time.millis();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Binding b : bindings.all(now)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("aor", b.aor());
            m.put("contact", b.contact());
            m.put("expires", b.secondsLeft(now));
            m.put("source", b.source());
            m.put("behindNat", b.viaSource());
            m.put("userAgent", b.userAgent());
            out.add(m);
        }
        return out;
    }

    /** The box's media relay, or null when its configuration has no {@code relay:} section. */
    public MediaRelay relay() {
        return relay;
    }

    public SipEdge sip() {
        return sip;
    }

    public AdminServer admin() {
        return admin;
    }

    /**
     * Returns where the admin page listens over HTTPS.
     *
     * @return the bound address, or null when {@code admin.https} is off
     */
    public InetSocketAddress adminPage() {
        return adminPage;
    }

    public Provisioning provisioning() {
        return provisioning;
    }

    /** The box's overlay membership, or null when its configuration has no {@code overlay:} section. */
    public OverlayService overlay() {
        return overlay;
    }

    /** What keeps the overlay told of this box's registered users, or null without an overlay. */
    public RegistrationPublisher publisher() {
        return publisher;
    }

    @Override
    public void close() {
        closeAll(parts);
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
