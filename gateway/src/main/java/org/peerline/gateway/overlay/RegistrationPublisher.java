package org.peerline.gateway.overlay;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.peerline.gateway.Daemons;
import org.peerline.gateway.routing.Binding;
import org.peerline.gateway.routing.BindingTable;
import org.peerline.overlay.api.Overlay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the overlay told where this box's users are (issue 4, flow 1): an AOR that gains its first live
 * binding is published as a SIP-REGISTRATION record pointing to this box's SIP address; one that loses its
 * last binding (unregister or expiry) is withdrawn. While an AOR stays registered, the overlay peer refreshes
 * the record at half its lifetime, so phones that re-register (or keep NAT bindings open) every minute cost
 * the overlay nothing. After a restart, {@link #publishAll} republishes the bindings restored from disk.
 *
 * <p>A record is stored only once the box has joined the overlay; changes before that are picked up by the
 * {@code publishAll} that follows the join. At most {@link #MAX_IN_FLIGHT} stores are under way at once (a
 * burst of registrations, or a restart republishing thousands, waits its turn instead of timing out in the
 * overlay); a store that fails is tried again after a few seconds for as long as the AOR stays registered,
 * rather than leaving the user unreachable until the phone next re-registers. Thread-safe: the binding table
 * calls it from SIP threads.
 */
public final class RegistrationPublisher implements BindingTable.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationPublisher.class);
    /** Stores under way at once. */
    static final int MAX_IN_FLIGHT = 64;
    /** A failed store is tried again after this many seconds, plus up to as many again at random. */
    static final int RETRY_SECONDS = 5;

    private final Overlay overlay;
    private final String boxUri;
    private final Duration lifetime;
    /** AORs with a live binding: the ones that should be in the overlay. */
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    /** AORs stored (or being stored) and kept fresh by the overlay peer. */
    private final Set<String> published = ConcurrentHashMap.newKeySet();
    private final java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>();
    private int inFlight;
    private final ScheduledExecutorService retries = Daemons.timer("overlay-publish-retry");
    private volatile boolean joined;

    /**
     * @param boxUri   where other boxes send this box's users' requests, e.g. {@code sip:192.0.2.10:5061;transport=tls};
     *                 null for a box nobody can connect to: it publishes a route through the overlay (RFC 7904)
     * @param lifetime how long a record outlives this box if it dies (refreshed at half of it while the box runs)
     */
    private String shown() {
        return boxUri != null ? boxUri : "a route through the overlay to this box";
    }

    public RegistrationPublisher(Overlay overlay, String boxUri, Duration lifetime) {
        this.overlay = overlay;
        this.boxUri = boxUri;
        this.lifetime = lifetime;
    }

    @Override
    public void changed(String aor, List<Binding> bindings) {
        if (!bindings.isEmpty()) {
            wanted.add(aor);
        } else {
            wanted.remove(aor);
        }
        if (!joined) {
            return;
        }
        if (!bindings.isEmpty()) {
            publish(aor);
        } else if (published.remove(aor)) {
            overlay.unpublish(aor).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("overlay: cannot withdraw {}: {} (it expires in at most {} s)", aor, e.getMessage(),
                            lifetime.toSeconds());
                } else {
                    LOG.info("overlay: withdrew {}", aor);
                }
            });
        }
    }

    /** The box has joined the overlay: publish every AOR that has a live binding now. */
    public void publishAll(List<Binding> live) {
        live.stream().map(Binding::aor).forEach(wanted::add);
        joined = true;
        live.stream().map(Binding::aor).distinct().forEach(this::publish);
        LOG.info("overlay: publishing {} registered AORs as {}", published.size(), shown());
    }

    /** Stores of registered AORs not yet in the overlay: under way, waiting their turn, or to be tried again. */
    public synchronized int storing() {
        return inFlight + queue.size();
    }

    /** AORs this box has published (and keeps refreshed). */
    public Set<String> published() {
        return Set.copyOf(published);
    }

    private void publish(String aor) {
        if (!published.add(aor)) {
            return; // published already (or on its way); the overlay peer keeps it fresh
        }
        synchronized (this) {
            queue.add(aor);
        }
        next();
    }

    /** Starts queued stores while fewer than MAX_IN_FLIGHT are under way. */
    private void next() {
        while (true) {
            String aor;
            synchronized (this) {
                if (inFlight >= MAX_IN_FLIGHT || queue.isEmpty()) {
                    return;
                }
                aor = queue.poll();
                inFlight++;
            }
            if (!wanted.contains(aor)) {
                published.remove(aor); // unregistered while it waited
                done();
                continue;
            }
            overlay.publish(aor, boxUri, lifetime).whenComplete((v, e) -> {
                if (e != null) {
                    published.remove(aor);
                    long delay = RETRY_SECONDS * 1000L + java.util.concurrent.ThreadLocalRandom.current()
                            .nextLong(RETRY_SECONDS * 1000L);
                    LOG.warn("overlay: cannot publish {}: {}; trying again in {} s", aor, e.getMessage(), delay / 1000);
                    try {
                        retries.schedule(() -> {
                            if (wanted.contains(aor)) {
                                publish(aor);
                            }
                        }, delay, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException stopped) {
                        // the box is stopping
                    }
                } else {
                    LOG.debug("overlay: published {} -> {}", aor, shown());
                }
                done();
                next();
            });
        }
    }

    private synchronized void done() {
        inFlight--;
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
