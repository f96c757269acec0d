package org.peerline.gateway.overlay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.peerline.gateway.Daemons;
import org.peerline.gateway.sip.Directory;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.relay.MediaRelay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays in the federation: this box advertises its own (capacity, load, whether it can be connected to) and
 * chooses a third box's relay for a call between two boxes that cannot reach each other.
 *
 * <p><b>The cost of a relay box</b> (lowest wins): {@code rtt + 200 * load}, where {@code rtt} is the round
 * trip of an overlay Probe from this box to it in milliseconds (measured at most once a minute per box) and
 * {@code load} the share of its relay's call legs in use (0 to 1). Boxes that cannot be connected to, that
 * have fewer than 4 free legs, that did not answer the Probe, and the two boxes of the call are not candidates.
 * So a nearby idle box wins; a box twice as far (say 40 ms instead of 20) wins only once the nearer one is
 * 10 % busier. Offers are fetched at most every 10 s.
 */
public final class RelayOffering implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayOffering.class);
    static final long PERIOD_SECONDS = 20;
    static final Duration LIFETIME = Duration.ofSeconds(90);
    static final double LOAD_WEIGHT = 200;
    private static final long OFFERS_MAX_AGE_MILLIS = 10_000;
    private static final long RTT_MAX_AGE_MILLIS = 60_000;
    private static final long PROBE_MILLIS = 1500;

    private final Overlay overlay;
    private final MediaRelay relay;
    private final String sipUri;
    private final boolean reachable;
    private final String stun;
    /** This box's site name, in its offer for the admin page of other boxes. */
    private final String site;
    /** The STUN server this box asks for its relay's public addresses (boxes behind NATs only); null: none known. */
    private volatile java.net.InetSocketAddress stunServer;
    /** STUN servers already reported silent (once each). */
    private final java.util.Set<String> silentStun = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private volatile CompletableFuture<List<Overlay.RelayOffer>> offers;
    private volatile long offersAt;
    private final Map<NodeId, long[]> rtts = new ConcurrentHashMap<>(); // {rtt ms, measured at ms}

    /**
     * @param relay     this box's relay, or null when it relays no media (it then only chooses others')
     * @param sipUri    where other boxes send this box SIP, advertised with the offer
     * @param reachable other boxes can connect to this box
     * @param stun      where this box answers STUN ({@code host:port}), or null
     * @param site      this box's site name, shown on other boxes' admin pages
     */
    public RelayOffering(Overlay overlay, MediaRelay relay, String sipUri, boolean reachable, String stun,
                         String site) {
        this.site = site;
        this.overlay = overlay;
        this.relay = relay;
        this.sipUri = sipUri;
        this.reachable = reachable;
        this.stun = stun;
        this.timer = Daemons.timer("relay-offer");
    }

    /** Starts advertising this box's relay (if it has one): its load is looked at every {@value #PERIOD_SECONDS} s and stored when it changed. */
    public void start() {
        if (relay != null) {
            timer.scheduleWithFixedDelay(this::advertise, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
            if (!reachable && relay.settings().ice()) {
                timer.scheduleWithFixedDelay(this::findStunServer, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The STUN server of the box whose relay this box would choose now (the least cost, as for a third-box relay)
     * among those that run one: where a box behind a NAT learns its relay's public addresses for ICE. Null for a
     * box others can connect to (its own address is its public one) and until one is known.
     */
    public java.net.InetSocketAddress stunServer() {
        return stunServer;
    }

    /**
     * Picks the STUN server: the offers that name one, by cost, the first that answers (a box behind a router
     * may advertise a STUN port its router does not forward).
     */
    private void findStunServer() {
        List<Rated> rated;
        try {
            rated = rate(null).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return; // next round
        }
        List<Rated> eligible = new ArrayList<>(rated.stream()
                .filter(r -> r.excluded() == null && !r.offer().stun().isEmpty()).toList());
        eligible.sort(Comparator.comparingDouble(Rated::cost).thenComparing(r -> r.offer().box().toString()));
        java.net.InetSocketAddress found = null;
        for (Rated r : eligible) {
            java.net.InetSocketAddress at = socketAddress(r.offer().stun());
            java.net.InetSocketAddress seen = at == null ? null : MediaRelay.askStun(at, 900);
            if (seen != null) {
                if (!at.equals(stunServer)) {
                    LOG.info("relay: STUN server for ICE candidates: {} (box {}), which sees this box as {}", at,
                            r.offer().box(), seen.getAddress().getHostAddress());
                }
                found = at;
                break;
            }
            if (silentStun.add(String.valueOf(at))) {
                LOG.info("relay: box {} advertises STUN at {} but it does not answer; trying the next", r.offer().box(), at);
            }
        }
        stunServer = found;
    }

    /** The {@code host:port} of an offer's STUN server; null if it is not one. */
    private static java.net.InetSocketAddress socketAddress(String hostPort) {
        try {
            var hp = org.peerline.gateway.sip.ListenAddress.HostPort.parse(hostPort);
            return new java.net.InetSocketAddress(hp.host(), hp.port());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The offer stored last: an unchanged one is not stored again (the overlay refreshes it on its own). */
    private volatile Overlay.RelayOffer advertised;

    private void advertise() {
        Overlay.RelayOffer offer = new Overlay.RelayOffer(overlay.nodeId(), sipUri, reachable,
                relay.settings().legCapacity(), relay.portsInUse() / 2, stun, site);
        if (offer.equals(advertised)) {
            return;
        }
        advertised = offer;
        overlay.offerRelay(offer, LIFETIME).whenComplete((v, e) -> {
            if (e != null) {
                LOG.debug("overlay: relay offer not stored: {}", e.toString());
                advertised = null; // try again at the next round
            }
        });
    }

    /**
     * A box's relay offer as this box rates it: the overlay round trip to it (-1: it did not answer), its cost,
     * and why it cannot be chosen (null if it can).
     */
    public record Rated(Overlay.RelayOffer offer, long rttMillis, double cost, String excluded) {
    }

    /** The relay box of least cost for a call between this box and {@code target}; completes with null when none qualifies. */
    public CompletableFuture<Directory.Relay> choose(NodeId target) {
        return rate(target).thenApply(rated -> {
            Rated best = pick(rated);
            if (best == null) {
                return null;
            }
            StringBuilder considered = new StringBuilder();
            for (Rated r : rated) {
                if (r.excluded() == null) {
                    considered.append(considered.length() == 0 ? "" : ", ").append(String.format(
                            "%s cost %.0f (rtt %d ms, load %.0f%%)", r.offer().box(), r.cost(), r.rttMillis(),
                            100.0 * load(r.offer())));
                }
            }
            return new Directory.Relay(best.offer().box(), best.offer().sipUri(), String.format(
                    "relay box %s chosen by cost (rtt + %.0f x load) among %s", best.offer().box(), LOAD_WEIGHT,
                    considered));
        });
    }

    /** The eligible offer of least cost (ties: the smaller Node-ID), or null. */
    static Rated pick(List<Rated> rated) {
        return rated.stream().filter(r -> r.excluded() == null)
                .min(Comparator.comparingDouble(Rated::cost).thenComparing(r -> r.offer().box().toString()))
                .orElse(null);
    }

    /** Rates an offer measured {@code rttMillis} away for a call to {@code target} (null: any call) from {@code self}. */
    static Rated rate(Overlay.RelayOffer o, long rttMillis, NodeId self, NodeId target) {
        String excluded = o.box().equals(self) ? "this box"
                : o.box().equals(target) ? "the other box of the call"
                : !o.reachable() ? "cannot be connected to"
                : o.capacity() - o.inUse() < 4 ? "fewer than 4 free call legs"
                : rttMillis < 0 ? "did not answer a Probe" : null;
        double cost = rttMillis < 0 ? Double.MAX_VALUE : rttMillis + LOAD_WEIGHT * load(o);
        return new Rated(o, rttMillis, cost, excluded);
    }

    private static double load(Overlay.RelayOffer o) {
        return o.capacity() == 0 ? 1 : (double) o.inUse() / o.capacity();
    }

    /** Every known offer rated for a call to {@code target} (null: any), measuring round trips where needed. */
    public CompletableFuture<List<Rated>> rate(NodeId target) {
        NodeId self = overlay.nodeId();
        return offers().thenCompose(all -> {
            List<CompletableFuture<Rated>> rated = new ArrayList<>();
            for (Overlay.RelayOffer o : all) {
                boolean measure = o.reachable() && !o.box().equals(self) && !o.box().equals(target);
                rated.add((measure ? rtt(o.box()) : CompletableFuture.completedFuture(-1L))
                        .thenApply(rtt -> rate(o, rtt, self, target)));
            }
            return CompletableFuture.allOf(rated.toArray(CompletableFuture[]::new))
                    .thenApply(v -> rated.stream().map(CompletableFuture::join).toList());
        });
    }

    private CompletableFuture<List<Overlay.RelayOffer>> offers() {
        long now = System.currentTimeMillis();
        CompletableFuture<List<Overlay.RelayOffer>> f = offers;
        if (f == null || now - offersAt > OFFERS_MAX_AGE_MILLIS || f.isCompletedExceptionally()) {
            f = overlay.relayOffers().orTimeout(2, TimeUnit.SECONDS)
                    .exceptionally(e -> List.of());
            offers = f;
            offersAt = now;
        }
        return f;
    }

    /** The overlay round trip to {@code box} in ms (cached a minute); -1 if it did not answer. */
    private CompletableFuture<Long> rtt(NodeId box) {
        long now = System.currentTimeMillis();
        long[] known = rtts.get(box);
        if (known != null && now - known[1] < RTT_MAX_AGE_MILLIS) {
            return CompletableFuture.completedFuture(known[0]);
        }
        return overlay.probe(box).orTimeout(PROBE_MILLIS, TimeUnit.MILLISECONDS).handle((p, e) -> {
            long rtt = e == null ? p.rttMillis() : -1;
            rtts.put(box, new long[] {rtt, now});
            return rtt;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
