package org.peerline.gateway.overlay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.peerline.overlay.OverlayPeer;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.security.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The box's membership in the overlay, as the daemon runs it: starts the RELOAD peer with the box's
 * credentials, joins through the bootstrap boxes and keeps trying (with back-off) while none answers, and
 * leaves gracefully when the daemon stops.
 */
public final class OverlayService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayService.class);
    /** Longest pause between two join attempts. */
    static final long MAX_RETRY_SECONDS = 60;

    private final OverlayPeer peer;
    private final List<PeerAddress> bootstrap;
    private final ScheduledExecutorService retries;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private volatile String state = "joining";
    private volatile boolean closed;

    private OverlayService(OverlayPeer peer, List<PeerAddress> bootstrap) {
        this.peer = peer;
        this.bootstrap = bootstrap;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "overlay-join");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the peer on {@code listen} with the credentials in {@code credentials} and begins joining through
     * {@code bootstrap} (none: this box starts a new overlay). Returns once the peer listens; joining goes on
     * in the background (see {@link #state()}). With {@code capture} (debugging), every link's decrypted
     * stream goes to that pcap file.
     *
     * @throws IOException if the credentials cannot be read, the address cannot be bound or the capture written
     */
    public static OverlayService start(Path credentials, PeerAddress listen, List<PeerAddress> bootstrap, Path capture)
            throws IOException {
        Credentials c;
        try {
            c = Credentials.load(credentials);
        } catch (IOException e) {
            throw new IOException("no overlay credentials in " + credentials + " (node.key, node.crt, ca.crt): "
                    + e.getMessage() + "; create them with 'peerline overlay ca init' on the first box and"
                    + " 'peerline overlay ca issue'", e);
        }
        OverlayPeer peer;
        try {
            peer = OverlayPeer.start(c.overlayName(), c, listen, capture);
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        LOG.info("overlay: node {} of overlay '{}' on {}, serving {}", c.nodeId(), c.overlayName(), peer.address(),
                c.domains());
        if (capture != null) {
            LOG.warn("overlay: writing every link's decrypted traffic to {} (overlay.capture, for debugging only)", capture);
        }
        OverlayService s = new OverlayService(peer, List.copyOf(bootstrap));
        s.join(1);
        return s;
    }

    private void join(int attempt) {
        if (closed) {
            return;
        }
        peer.join(bootstrap).whenComplete((v, e) -> {
            if (e == null) {
                state = "joined";
                joined.complete(null);
                LOG.info("overlay: {}", bootstrap.isEmpty() ? "started a new overlay (no bootstrap configured)"
                        : "joined through " + bootstrap + " (attempt " + attempt + ")");
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
