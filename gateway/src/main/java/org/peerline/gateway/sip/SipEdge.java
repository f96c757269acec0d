package org.peerline.gateway.sip;

import gov.nist.javax.sip.stack.timers.ScheduledExecutorSipTimer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import org.peerline.gateway.Daemons;
import org.peerline.gateway.routing.BindingTable;
import org.peerline.gateway.routing.Nonces;
import org.peerline.gateway.routing.RouteSigner;
import org.peerline.gateway.routing.SourceGuard;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.overlay.security.Credentials;
import org.peerline.provisioning.api.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP edge of the box: sets up the JAIN-SIP stack on the configured sockets and runs the registrar
 * and proxy on it. One instance per daemon; {@link #close()} stops the stack and its timers.
 */
public final class SipEdge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipEdge.class);
    private static final AtomicInteger STACKS = new AtomicInteger();
    /** How long the box waits for a TCP or TLS connection it opens (to a phone or another box). */
    static final int CONNECT_TIMEOUT_MILLIS = 1500;

    private final SipStack stack;
    private final ScheduledExecutorService housekeeping;
    private final List<String> listening;
    private final SipContext ctx;

    private SipEdge(SipStack stack, ScheduledExecutorService housekeeping, List<String> listening, SipContext ctx) {
        this.stack = stack;
        this.housekeeping = housekeeping;
        this.listening = listening;
        this.ctx = ctx;
    }

    /**
     * The box's place in a federation: the TLS socket where boxes send each other requests, authenticated
     * both ways with certificates from the federation's CA ({@code credentials}: the box's key, certificate
     * and the CA's certificate). Calls from this box's phones to users of the {@code redirect} domains ("*": all)
     * are answered 302 with the serving box as Contact instead of being proxied. {@code advertised}: where other
     * boxes reach the socket when not at {@code listen} (a router that forwards to it), for this box's Record-Route
     * towards them; null: {@code listen}. {@code reachable}: other boxes can connect to this one (false behind
     * a NAT without port forwarding: it never asks a box that cannot be connected to for a connection either,
     * and goes through a third box's relay at once).
     */
    public record Federation(ListenAddress listen, Credentials credentials, java.util.Set<String> redirect,
                             ListenAddress.HostPort advertised, boolean reachable) {
        public Federation {
            if (listen.transport() != ListenAddress.Transport.TLS) {
                throw new IllegalArgumentException("the federation socket is TLS, not " + listen);
            }
            redirect = java.util.Set.copyOf(redirect);
        }

        public Federation(ListenAddress listen, Credentials credentials, java.util.Set<String> redirect) {
            this(listen, credentials, redirect, null, true);
        }

        boolean redirects(String domain) {
            return redirect.contains("*") || redirect.contains(domain.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * Accepts, from now on, each provisioned phone's own password for the users on its lines (besides their own).
     *
     * @param phones the site's phones
     */
    public void acceptPhonePasswords(org.peerline.provisioning.api.Phones phones) {
        ctx.phones = phones;
    }

    /** Starts the registrar/proxy of a box that is in no federation. */
    public static SipEdge start(SipSettings settings, Users users, BindingTable bindings, TimeSource time)
            throws IOException {
        return start(settings, users, bindings, time, null);
    }

    /**
     * Starts the registrar/proxy.
     *
     * @throws IOException when a socket cannot be bound (the message names the address)
     */
    public static SipEdge start(SipSettings settings, Users users, BindingTable bindings, TimeSource time,
                                Federation federation) throws IOException {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        SipStack stack;
        Properties props = stackProperties(federation != null);
        String name = props.getProperty(FederationTls.STACK_NAME);
        if (federation != null) {
            FederationTls.register(name, federation.credentials());
        }
        try {
            stack = factory.createSipStack(props);
        } catch (javax.sip.PeerUnavailableException e) {
            throw new IOException("cannot create the SIP stack: " + e.getMessage(), e);
        } finally {
            FederationTls.forget(name);
        }
        List<ListenAddress> sockets = new ArrayList<>(settings.listen());
        if (federation != null) {
            sockets.add(federation.listen());
        }
        List<LocalEndpoints.Endpoint> endpoints = new ArrayList<>();
        Set<String> localHosts = new HashSet<>();
        List<String> listening = new ArrayList<>();
        try {
            Map<String, Map<String, Integer>> byIp = new LinkedHashMap<>();
            for (ListenAddress a : sockets) {
                for (String ip : expand(a)) {
                    byIp.computeIfAbsent(ip, k -> new LinkedHashMap<>()).put(a.transport().token(), a.port());
                }
            }
            for (Map.Entry<String, Map<String, Integer>> e : byIp.entrySet()) {
                String ip = e.getKey();
                Map<String, ListeningPoint> points = new HashMap<>();
                SipProvider provider = null;
                for (Map.Entry<String, Integer> t : e.getValue().entrySet()) {
                    ListeningPoint lp;
                    try {
                        lp = stack.createListeningPoint(ip, t.getValue(), t.getKey());
                    } catch (javax.sip.TransportNotSupportedException | javax.sip.InvalidArgumentException e2) {
                        throw new IOException("cannot listen on " + t.getKey() + ":" + ip + ":" + t.getValue() + ": "
                                + e2.getMessage(), e2);
                    }
                    points.put(t.getKey(), lp);
                    if (provider == null) {
                        provider = stack.createSipProvider(lp);
                    } else {
                        provider.addListeningPoint(lp);
                    }
                    listening.add(t.getKey() + ":" + ip + ":" + lp.getPort());
                }
                endpoints.add(new LocalEndpoints.Endpoint(ip, provider, Map.copyOf(points)));
                localHosts.add(LocalEndpoints.normalize(ip));
            }
            if (settings.listen().stream().anyMatch(ListenAddress::isWildcard)) {
                localHosts.add(InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT));
            }
            SecureRandom random = new SecureRandom();
            var sec = settings.security();
            ScheduledThreadPoolExecutor hk = new ScheduledThreadPoolExecutor(1, Daemons.named("sip-housekeeping"));
            // Timer C is cancelled by almost every call long before it fires: drop the task (and the
            // call it holds) from the queue at once, not 3 minutes later.
            hk.setRemoveOnCancelPolicy(true);
            SipContext ctx = new SipContext(settings, users, bindings, time, factory.createMessageFactory(),
                    factory.createHeaderFactory(), factory.createAddressFactory(),
                    new LocalEndpoints(endpoints, localHosts, federation == null || federation.advertised() == null
                            ? Set.of() : Set.of(LocalEndpoints.hostPort(federation.advertised().host(),
                            federation.advertised().port()))),
                    new Nonces(settings.nonceLifetime().toMillis(), random),
                    new SourceGuard(sec.rateLimit(), sec.rateBurst(), sec.authFailures(),
                            sec.failureWindow().toNanos(), sec.blockTime().toNanos()),
                    new RouteSigner(random), hk);
            ctx.federation = federation == null ? null : new FederationPeers(federation);
            SipService service = new SipService(ctx);
            for (LocalEndpoints.Endpoint ep : endpoints) {
                ep.provider().addSipListener(service);
            }
            stack.start();
            hk.scheduleWithFixedDelay(() -> bindings.expire(time.millis()), 5, 5, TimeUnit.SECONDS);
            hk.scheduleWithFixedDelay(() -> ctx.guard.sweep(time.nanos()), 60, 60, TimeUnit.SECONDS);
            hk.scheduleWithFixedDelay(() -> {
                MediaSessions media = ctx.media;
                if (media != null) {
                    media.prune();
                }
            }, 60, 60, TimeUnit.SECONDS);
            LOG.info("SIP listening on {} for domain {}", listening, settings.domain());
            return new SipEdge(stack, hk, List.copyOf(listening), ctx);
        } catch (IOException | RuntimeException | javax.sip.SipException | java.util.TooManyListenersException e) {
            try {
                stack.stop();
            } catch (RuntimeException stopFailed) {
                // a half-built stack may fail to stop (JAIN-SIP trips over processors it never started); the
                // reason it could not start is what the user needs
                e.addSuppressed(stopFailed);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start SIP: " + e.getMessage(), e);
        }
    }

    /** The port the federation's TLS socket is bound to (the one the system chose if configured as 0); -1 if none. */
    public int federationPort() {
        for (String l : listening) {
            if (l.startsWith("tls:")) {
                return Integer.parseInt(l.substring(l.lastIndexOf(':') + 1));
            }
        }
        return -1;
    }

    /** The sockets actually bound, as {@code transport:ip:port}. */
    public List<String> listening() {
        return listening;
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        ctx.outbound.shutdownNow();
        stack.stop();
    }

    private static List<String> expand(ListenAddress a) throws SocketException {
        if (!a.isWildcard()) {
            return List.of(a.host());
        }
        List<String> ips = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress addr : Collections.list(nif.getInetAddresses())) {
                if (addr instanceof Inet4Address) {
                    ips.add(addr.getHostAddress());
                }
            }
        }
        if (ips.isEmpty()) {
            ips.add("127.0.0.1");
        }
        return ips;
    }

    /**
     * Connects the proxy to the federation's directory: requests for users this box does not serve are looked
     * up there (see {@link Directory}). Until this is called, such requests get 404.
     */
    public void federate(Directory directory) {
        ctx.directory = directory;
    }

    /**
     * Opens a SIP-over-TLS connection to another box at the first of {@code candidates} that answers (it asked
     * through the overlay: this box cannot be connected to); true once one did.
     */
    public java.util.concurrent.CompletableFuture<Boolean> connectTo(java.util.List<org.peerline.overlay.api.PeerAddress> candidates) {
        return new DialBack(ctx).connect(candidates);
    }

    /** The methods SIP transactions are counted by (the last, "other", stands for the rest). */
    public static java.util.List<String> countedMethods() {
        return TxLog.METHODS;
    }

    /** SIP transactions answered since start with method {@code countedMethods().get(method)} and status class 1-6. */
    public static long transactions(int method, int statusClass) {
        return TxLog.outcomes(method, statusClass);
    }

    /** The calls whose media the box relays now; empty when it relays none. */
    public java.util.List<RelayedCall> relayedCalls() {
        MediaSessions media = ctx.media;
        return media == null ? java.util.List.of() : media.calls();
    }

    /** Where the relay learns its public addresses for ICE: {@code server} gives a STUN server, or null for none. */
    public void stunServerForIce(java.util.function.Supplier<java.net.InetSocketAddress> server) {
        MediaSessions media = ctx.media;
        if (media != null) {
            media.stunServer(server);
        }
    }

    /** From now on, the media of every call this box proxies goes through {@code relay}. */
    public void relayMedia(org.peerline.relay.MediaRelay relay) {
        ctx.media = new MediaSessions(relay);
    }

    private static Properties stackProperties(boolean tls) {
        Properties p = new Properties();
        if (tls) {
            p.setProperty("gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER", FederationTls.class.getName());
            // both ends show a certificate from the federation's CA, or the handshake fails
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Enabled");
            // TLS 1.2: JAIN-SIP 1.3.0-91's NIO TLS engine never delivers the first request over TLS 1.3 (tried with
            // FederationCallIT); ECDHE with AES-GCM gives forward secrecy all the same
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.2");
            p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,"
                    + " TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        }
        // a box that is down must fail its callers fast (issue 4: an answer within 2 s), not after 10 s
        p.setProperty("gov.nist.javax.sip.CONNECTION_TIMEOUT", String.valueOf(CONNECT_TIMEOUT_MILLIS));
        p.setProperty("javax.sip.STACK_NAME", "peerline-" + STACKS.incrementAndGet());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("javax.sip.ROUTER_PATH", NextHopRouter.class.getName());
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        p.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", EdgeValve.class.getName());
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        // Callbacks run concurrently on a fixed pool instead of a thread per UDP message.
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
        // Transaction timers on a ScheduledThreadPoolExecutor, which removes a cancelled timer from
        // its queue; the default java.util.Timer keeps it (one synchronised queue, every Timer B/F
        // of a completed transaction waiting out its 32 s).
        p.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", ScheduledExecutorSipTimer.class.getName());
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", FramedProcessorFactory.class.getName());
        p.setProperty("gov.nist.javax.sip.TCP_POST_PARSING_THREAD_POOL_SIZE", "4");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.AUTOMATIC_DIALOG_ERROR_HANDLING", "false");
        p.setProperty("gov.nist.javax.sip.RFC_2543_SUPPORT_ENABLED", "true");
        p.setProperty("gov.nist.javax.sip.REJECT_STRAY_RESPONSES", "false");
        p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true");
        p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "200000");
        p.setProperty("gov.nist.javax.sip.MAX_CLIENT_TRANSACTIONS", "100000");
        p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", String.valueOf(4 << 20));
        p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", String.valueOf(4 << 20));
        return p;
    }
}
