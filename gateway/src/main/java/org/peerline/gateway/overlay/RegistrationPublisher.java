package org.peerline.gateway.overlay;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * {@code publishAll} that follows the join. Thread-safe: the binding table calls it from SIP threads.
 */
public final class RegistrationPublisher implements BindingTable.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationPublisher.class);

    private final Overlay overlay;
    private final String boxUri;
    private final Duration lifetime;
    private final Set<String> published = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger storing = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean joined;

    /**
     * @param boxUri   where other boxes send this box's users' requests, e.g. {@code sip:192.0.2.10:5060;transport=tcp}
     * @param lifetime how long a record outlives this box if it dies (refreshed at half of it while the box runs)
     */
    public RegistrationPublisher(Overlay overlay, String boxUri, Duration lifetime) {
        this.overlay = overlay;
        this.boxUri = boxUri;
        this.lifetime = lifetime;
    }

    @Override
    public void changed(String aor, List<Binding> bindings) {
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
        joined = true;
        live.stream().map(Binding::aor).distinct().forEach(this::publish);
        LOG.info("overlay: publishing {} registered AORs as {}", published.size(), boxUri);
    }

    /** Stores of newly registered AORs still on their way into the overlay (not yet found by lookups). */
    public int storing() {
        return storing.get();
    }

    /** AORs this box has published (and keeps refreshed). */
    public Set<String> published() {
        return Set.copyOf(published);
    }

    private void publish(String aor) {
        if (!published.add(aor)) {
            return; // published already; the overlay peer keeps it fresh
        }
        storing.incrementAndGet();
        overlay.publish(aor, boxUri, lifetime).whenComplete((v, e) -> {
            storing.decrementAndGet();
            if (e != null) {
                published.remove(aor); // the next change of its bindings tries again
                LOG.warn("overlay: cannot publish {}: {}", aor, e.getMessage());
            } else {
                LOG.debug("overlay: published {} -> {}", aor, boxUri);
            }
        });
    }
}
