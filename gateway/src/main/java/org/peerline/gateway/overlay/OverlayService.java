package org.peerline.gateway.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.peerline.gateway.Daemons;
import org.peerline.gateway.sip.ListenAddress;
import org.peerline.overlay.OverlayPeer;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.security.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The box's membership in the overlay, as the daemon runs it: starts the RELOAD peer with the box's
 * credentials, joins through the bootstrap boxes and the peers it remembers from its last run, keeps trying
 * (with back-off) while none answers, remembers the peers it routes through, and leaves gracefully when the
 * daemon stops.
 */
public final class OverlayService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayService.class);
    /** Longest pause between two join attempts. */
    static final long MAX_RETRY_SECONDS = 60;

    /** How many peer addresses a box remembers. */
    static final int REMEMBERED = 16;

    private final OverlayPeer peer;
    /** The configured bootstrap boxes; none on the box that started the overlay. */
    private final List<PeerAddress> configured;
    /** Configured boxes first, then the peers remembered from the last run. */
    private final List<PeerAddress> bootstrap;
    private final Path peersFile;
    private final ScheduledExecutorService retries;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final AtomicBoolean remembering = new AtomicBoolean();
    private volatile String state = "joining";
    private volatile boolean closed;

    /** Zones whose SRV records name bootstrap boxes, looked up at each attempt ({@code ZONE[@SERVER:PORT]}). */
    private final List<String> dnsZones;

    private OverlayService(OverlayPeer peer, List<PeerAddress> configured, List<String> dnsZones, List<PeerAddress> remembered,
                           Path peersFile) {
        this.peer = peer;
        this.configured = configured;
        this.dnsZones = List.copyOf(dnsZones);
        List<PeerAddress> all = new ArrayList<>(configured);
        remembered.stream().filter(a -> !all.contains(a) && !a.equals(peer.address())).forEach(all::add);
        this.bootstrap = List.copyOf(all);
        this.peersFile = peersFile;
        this.retries = Daemons.timer("overlay-join");
    }

    /**
     * Starts the peer on {@code listen} with the credentials in {@code credentials} and begins joining through
     * {@code bootstrap}, then through the peers remembered in {@code peersFile} from the last run. A box with no
     * bootstrap (the one that started the overlay) first tries the remembered peers, so that after a restart it
     * rejoins the overlay the others kept running instead of starting a second one; if none answers, it starts
     * a new overlay. A box with a bootstrap keeps trying (see {@link #state()}). Returns once the peer listens.
     * The peers it routes through are remembered in {@code peersFile} whenever they change. With {@code capture}
     * (debugging), every link's decrypted stream goes to that pcap file.
     *
     * @throws IOException if the credentials cannot be read, the address cannot be bound or the capture written
     */
    public static OverlayService start(Path credentials, PeerAddress listen, List<PeerAddress> bootstrap, Path capture,
                                       Path peersFile) throws IOException {
        return start(credentials, listen, null, bootstrap, capture, peersFile);
    }

    /**
     * As {@link #start(Path, PeerAddress, List, Path, Path)}, telling other peers to dial {@code advertise} (the
     * public address of a router that forwards to {@code listen}); null: {@code listen}.
     */
    public static OverlayService start(Path credentials, PeerAddress listen, PeerAddress advertise,
                                       List<PeerAddress> bootstrap, Path capture, Path peersFile) throws IOException {
        return start(credentials, listen, advertise, false, bootstrap, List.of(), capture, peersFile);
    }

    /**
     * As above; {@code client}: the box cannot be connected to and joins as a RELOAD client of the peer
     * responsible for its Node-ID (it needs a bootstrap); {@code dnsZones}: zones whose {@code _p2psip._tcp} SRV
     * records name more bootstrap boxes ({@code ZONE} or {@code ZONE@DNS-SERVER:PORT}), looked up at each attempt.
     */
    public static OverlayService start(Path credentials, PeerAddress listen, PeerAddress advertise, boolean client,
                                       List<PeerAddress> bootstrap, List<String> dnsZones, Path capture, Path peersFile)
            throws IOException {
        Credentials c = credentials(credentials);
        OverlayPeer peer;
        try {
            peer = OverlayPeer.start(c.overlayName(), c, listen, advertise, capture, client);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        LOG.info("overlay: node {} of overlay '{}' on {}{}, serving {}", c.nodeId(), c.overlayName(), peer.address(),
                advertise == null ? "" : " (advertised as " + advertise + ")", c.domains());
        if (capture != null) {
            LOG.warn("overlay: writing every link's decrypted traffic to {} (overlay.capture, for debugging only)", capture);
        }
        OverlayService s = new OverlayService(peer, List.copyOf(bootstrap), dnsZones, remembered(peersFile), peersFile);
        peer.onMembersChanged(m -> s.rememberSoon());
        s.join(1);
        return s;
    }

    /** The box's federation credentials, or an error that says how to make them. */
    public static Credentials credentials(Path dir) throws IOException {
        try {
            return Credentials.load(dir);
        } catch (IOException e) {
            throw new IOException("no overlay credentials in " + dir + " (node.key, node.crt, ca.crt): "
                    + e.getMessage() + "; create them with 'peerline federation init' on the first box and"
                    + " 'peerline federation join TOKEN' on the others", e);
        }
    }

    private void join(int attempt) {
        if (closed) {
            return;
        }
        List<PeerAddress> bootstrap = withDns();
        if (bootstrap.isEmpty() && !dnsZones.isEmpty()) {
            // the zone names no box yet: never start a second overlay of one's own, try again
            long pause = Math.min(MAX_RETRY_SECONDS, 5L << Math.min(attempt - 1, 4));
            state = "joining: DNS zones " + dnsZones + " name no box to join through yet, next attempt in " + pause + " s";
            LOG.warn("overlay: {}", state);
            retries.schedule(() -> join(attempt + 1), pause, TimeUnit.SECONDS);
            return;
        }
        peer.join(bootstrap).whenComplete((v, e) -> {
            if (e == null) {
                joinedNow(bootstrap.isEmpty() ? "started a new overlay (no bootstrap configured, no peers remembered)"
                        : "joined through " + bootstrap + " (attempt " + attempt + ")"
                        + (peer.client() ? " as a client (this box cannot be connected to)" : ""));
                return;
            }
            if (configured.isEmpty() && dnsZones.isEmpty()) {
                // the first box of the overlay: none of the peers it remembers answers, so it starts anew
                peer.join(List.of()).whenComplete((v2, e2) -> joinedNow("no remembered peer answered ("
                        + e.getMessage() + "); started a new overlay"));
                return;
            }
            long pause = Math.min(MAX_RETRY_SECONDS, 5L << Math.min(attempt - 1, 4));
            state = "joining: attempt " + attempt + " failed (" + e.getMessage() + "), next in " + pause + " s";
            LOG.warn("overlay: cannot join through {}: {}; trying again in {} s", bootstrap, e.getMessage(), pause);
            if (!closed) {
                retries.schedule(() -> join(attempt + 1), pause, TimeUnit.SECONDS);
            }
        });
    }

    /** The bootstrap list with what the DNS zones name now in front of the remembered peers. */
    private List<PeerAddress> withDns() {
        if (dnsZones.isEmpty()) {
            return bootstrap;
        }
        List<PeerAddress> all = new ArrayList<>(configured);
        for (String z : dnsZones) {
            int at = z.indexOf('@');
            java.net.InetSocketAddress server = null;
            if (at >= 0) { // checked by the configuration's loader
                ListenAddress.HostPort hp = ListenAddress.HostPort.parse(z.substring(at + 1));
                server = new java.net.InetSocketAddress(hp.host(), hp.port());
            }
            String zone = at < 0 ? z : z.substring(0, at);
            List<java.net.InetSocketAddress> found = org.peerline.dns.BootstrapLookup.resolve(zone, server,
                    java.time.Duration.ofSeconds(3));
            LOG.info("overlay: DNS zone {} names bootstrap boxes {}", zone, found);
            for (java.net.InetSocketAddress a : found) {
                PeerAddress p = new PeerAddress(a.getAddress().getHostAddress(), a.getPort());
                if (!all.contains(p) && !p.equals(peer.address())) {
                    all.add(p);
                }
            }
        }
        bootstrap.stream().filter(a -> !all.contains(a)).forEach(all::add);
        return all;
    }

    private void joinedNow(String how) {
        state = "joined";
        joined.complete(null);
        LOG.info("overlay: {}", how);
        rememberSoon();
    }

    /** The peers remembered from the last run, or none; a damaged file is reported and ignored. */
    static List<PeerAddress> remembered(Path file) {
        if (file == null || !Files.exists(file)) {
            return List.of();
        }
        List<PeerAddress> out = new ArrayList<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                String l = line.trim();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                try {
                    ListenAddress.HostPort hp = ListenAddress.HostPort.parse(l);
                    out.add(new PeerAddress(hp.host(), hp.port()));
                } catch (IllegalArgumentException e) {
                    LOG.warn("overlay: {}:{}: not a host:port, ignored: {}", file, n, l);
                }
            }
        } catch (IOException e) {
            LOG.warn("overlay: cannot read the remembered peers in {}: {}", file, e.getMessage());
        }
        return out;
    }

    /** Writes the peers this box routes through to the peers file, a moment after they change. */
    private void rememberSoon() {
        if (peersFile == null || closed || !remembering.compareAndSet(false, true)) {
            return;
        }
        try {
            retries.schedule(() -> {
                remembering.set(false);
                peer.knownPeers().thenAccept(this::remember);
            }, 2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            remembering.set(false); // stopping: close() remembers them one last time
        }
    }

    private void remember(List<PeerAddress> peers) {
        if (peers.isEmpty()) {
            return; // alone for now: keep what was remembered, it may be the way back
        }
        StringBuilder text = new StringBuilder("# peers this box routed through, tried after overlay.bootstrap at start\n");
        peers.stream().limit(REMEMBERED).forEach(a -> text.append(a).append('\n'));
        try {
            Files.createDirectories(peersFile.getParent());
            Path tmp = peersFile.resolveSibling(peersFile.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, peersFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("overlay: cannot remember peers in {}: {}", peersFile, e.getMessage());
        }
    }

    /** The overlay, for publishing, lookups and diagnostics. */
    public Overlay overlay() {
        return peer;
    }

    /** Completes when the box has joined the overlay (or started a new one); runs its actions on an overlay thread. */
    public CompletableFuture<Void> joined() {
        return joined;
    }

    /** "joined", or "joining" with the last failure. */
    public String state() {
        return state;
    }

    /** Leaves gracefully (neighbours are told, so they repair at once) and stops the peer. */
    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        if ("joined".equals(state) && peersFile != null) {
            try {
                remember(peer.knownPeers().get(2, TimeUnit.SECONDS));
            } catch (Exception e) {
                LOG.debug("overlay: peers not remembered at stop: {}", e.toString());
            }
        }
        if ("joined".equals(state)) {
            try {
                peer.leave().get(2, TimeUnit.SECONDS);
                Thread.sleep(300); // the node sends its Leave messages, then closes its links
            } catch (Exception e) {
                LOG.debug("overlay: leave did not finish: {}", e.toString());
            }
        }
        peer.close();
    }
}
