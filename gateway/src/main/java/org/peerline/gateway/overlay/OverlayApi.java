package org.peerline.gateway.overlay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.provisioning.api.AdminServer;

/**
 * The overlay's diagnostics on the admin API, what {@code peerline overlay status|routes|neighbours|records|
 * trace|probe} print:
 * <ul>
 *   <li>{@code GET /api/overlay/status}: Node-ID, overlay, address, join state, uptime, share of the ring,
 *       resources stored, links, neighbour counts, the peers this box has links to, extensions claimed and
 *       extensions in conflict between sites, and message counters;</li>
 *   <li>{@code GET /api/overlay/routes}: the routing table (predecessors, successors, fingers), each entry with
 *       the address of its link if one is open;</li>
 *   <li>{@code GET /api/overlay/neighbours}: predecessors and successors;</li>
 *   <li>{@code GET /api/overlay/records}: every value this box holds, as responsible peer or replica;</li>
 *   <li>{@code GET /api/overlay/trace?aor=AOR}: the hops a lookup of the AOR takes (RouteQuery hop by hop);</li>
 *   <li>{@code GET /api/overlay/probe?node=NODE-ID}: another box's uptime, ring share and resources (RELOAD Probe).</li>
 * </ul>
 * A box without an {@code overlay:} section answers 404 with that reason.
 */
public final class OverlayApi {
    /** How long a request waits for the overlay (a trace or probe crosses the overlay). */
    static final long TIMEOUT_SECONDS = 20;

    private OverlayApi() {
    }

    /**
     * Adds the endpoints; {@code service} null means this box runs without an overlay ({@code publisher} is then
     * null too).
     */
    public static void register(AdminServer admin, String site, OverlayService service, RegistrationPublisher publisher,
                                ExtensionPublisher extensions, RelayOffering relays) {
        admin.addJsonGet("/api/overlay/status", () -> withSite(site, status(need(service), publisher, extensions)));
        admin.addJsonGet("/api/overlay/relays", () -> relays(need(service), relays));
        admin.addJsonGet("/api/overlay/ring", () -> ring(need(service).overlay(), relays, site));
        admin.addJsonGet("/api/overlay/routes", () -> routes(need(service).overlay()));
        admin.addJsonGet("/api/overlay/neighbours", () -> neighbours(need(service).overlay()));
        admin.addJsonGet("/api/overlay/records", () -> records(need(service).overlay()));
        admin.addJsonQuery("/api/overlay/trace", q -> trace(need(service).overlay(), required(q, "aor", "AOR")));
        admin.addJsonQuery("/api/overlay/probe", q -> probe(need(service).overlay(), nodeId(required(q, "node", "NODE-ID"))));
    }

    /** The status with this box's site name first. */
    private static Map<String, Object> withSite(String site, Map<String, Object> status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("site", site);
        m.putAll(status);
        return m;
    }

    private static OverlayService need(OverlayService service) {
        if (service == null) {
            throw new NoSuchElementException("this box is not in an overlay (its configuration has no 'overlay:' section)");
        }
        return service;
    }

    private static String required(Map<String, String> query, String name, String what) {
        String v = query.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("the query needs " + name + "=" + what);
        }
        return v.trim();
    }

    private static NodeId nodeId(String text) {
        try {
            return NodeId.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("node=" + text + " is not a Node-ID (32 hex digits)");
        }
    }

    private static <T> T await(CompletableFuture<T> f, String what) throws ExecutionException {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new ExecutionException(what + ": no answer within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecutionException(what + ": interrupted", e);
        }
    }

    private static Overlay.Status statusOf(Overlay overlay) {
        try {
            return await(overlay.status(), "status");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the overlay did not report its status: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> status(OverlayService service, RegistrationPublisher publisher,
                                      ExtensionPublisher extensions) {
        Overlay.Status s = statusOf(service.overlay());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodeId", s.nodeId().toString());
        m.put("overlay", s.overlay());
        m.put("address", s.address().toString());
        m.put("state", service.state());
        m.put("uptimeSeconds", s.uptimeSeconds());
        m.put("ringShare", s.responsiblePpb() / 1e9);
        m.put("resources", s.resources());
        m.put("links", s.links().size());
        m.put("predecessors", count(s.routes(), "predecessor "));
        m.put("successors", count(s.routes(), "successor "));
        m.put("members", service.overlay().members().size());
        m.put("role", s.routes().stream().filter(r -> r.role().startsWith("attached peer")).findFirst()
                .map(r -> "client of " + r.peer() + " (this box cannot be connected to)").orElse("peer"));
        m.put("publishedAors", publisher == null ? 0 : publisher.published().size());
        m.put("publishing", publisher == null ? 0 : publisher.storing());
        m.put("extensions", extensions == null ? 0 : extensions.claimed().size());
        m.put("extensionConflicts", extensions == null ? Map.of() : extensions.conflicts());
        List<Map<String, Object>> peers = new ArrayList<>();
        for (Overlay.Link l : s.links()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("nodeId", l.peer().toString());
            p.put("address", l.address() == null ? null : l.address().toString());
            peers.add(p);
        }
        m.put("peers", peers);
        m.put("counters", s.counters());
        return m;
    }

    /** Every box's relay offer, and how this box rates it for a call between two other boxes. */
    static Map<String, Object> relays(OverlayService service, RelayOffering relays) {
        List<RelayOffering.Rated> rated;
        try {
            rated = relays.rate(null).get(TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the overlay did not list the relay offers: " + e.getMessage(), e);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (RelayOffering.Rated r : rated) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodeId", r.offer().box().toString());
            m.put("site", r.offer().site().isEmpty() ? null : r.offer().site());
            m.put("sipUri", r.offer().sipUri());
            m.put("reachable", r.offer().reachable());
            m.put("capacity", r.offer().capacity());
            m.put("inUse", r.offer().inUse());
            m.put("rttMillis", r.rttMillis());
            m.put("cost", r.excluded() == null ? Math.round(r.cost()) : null);
            m.put("excluded", r.excluded());
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cost", "rtt in ms + " + Math.round(RelayOffering.LOAD_WEIGHT) + " x share of call legs in use; lowest wins");
        m.put("offers", out);
        return m;
    }

    /**
     * The boxes this box knows on the ring, for the admin page's map: each with its place on the ring (its Node-ID
     * as a fraction of 2^128), where it is, and what a Probe (RFC 6940 section 6.4.2) and its relay offer tell of
     * its uptime, stored resources and load. Members that do not answer in 3 s are listed without those.
     */
    static Map<String, Object> ring(Overlay overlay, RelayOffering relays, String site) {
        Overlay.Status self = statusOf(overlay);
        Map<NodeId, PeerAddress> addresses = new java.util.HashMap<>();
        self.links().forEach(l -> addresses.put(l.peer(), l.address()));
        Map<NodeId, RelayOffering.Rated> offers = new java.util.HashMap<>();
        if (relays != null) {
            try {
                relays.rate(null).get(3, TimeUnit.SECONDS).forEach(r -> offers.put(r.offer().box(), r));
            } catch (Exception e) {
                // the map still shows the members, without their load
            }
        }
        List<NodeId> members = new ArrayList<>(overlay.members());
        members.sort(null);
        Map<NodeId, CompletableFuture<Overlay.ProbeResult>> probes = new LinkedHashMap<>();
        for (NodeId m : members) {
            if (!m.equals(self.nodeId())) {
                probes.put(m, overlay.probe(m));
            }
        }
        java.math.BigDecimal ring = new java.math.BigDecimal(java.math.BigInteger.ONE.shiftLeft(128));
        List<Map<String, Object>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (NodeId m : members) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("nodeId", m.toString());
            e.put("position", new java.math.BigDecimal(m.toBigInteger()).divide(ring, java.math.MathContext.DECIMAL64)
                    .doubleValue());
            boolean isSelf = m.equals(self.nodeId());
            e.put("self", isSelf);
            e.put("site", isSelf ? site : null);
            PeerAddress address = isSelf ? self.address() : addresses.get(m);
            RelayOffering.Rated offer = offers.get(m);
            e.put("address", address != null ? address.toString() : null);
            e.put("sipUri", offer == null ? null : offer.offer().sipUri());
            if (!isSelf && offer != null && !offer.offer().site().isEmpty()) {
                e.put("site", offer.offer().site());
            }
            Overlay.ProbeResult probe = isSelf ? null : probe(probes.get(m), deadline);
            e.put("uptimeSeconds", isSelf ? Long.valueOf(self.uptimeSeconds()) : probe == null ? null : probe.uptimeSeconds());
            e.put("resources", isSelf ? Long.valueOf(self.resources()) : probe == null ? null : probe.resources());
            e.put("rttMillis", probe == null ? null : probe.rttMillis());
            e.put("relay", offer == null ? null : Map.of("capacity", offer.offer().capacity(),
                    "inUse", offer.offer().inUse()));
            out.add(e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("self", self.nodeId().toString());
        m.put("members", out);
        return m;
    }

    private static Overlay.ProbeResult probe(CompletableFuture<Overlay.ProbeResult> f, long deadline) {
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private static long count(List<Overlay.Route> routes, String prefix) {
        return routes.stream().filter(r -> r.role().startsWith(prefix)).count();
    }

    static List<Map<String, Object>> routes(Overlay overlay) {
        Overlay.Status s = statusOf(overlay);
        Map<NodeId, PeerAddress> linked = new LinkedHashMap<>();
        s.links().forEach(l -> linked.put(l.peer(), l.address()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Overlay.Route r : s.routes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", r.role());
            m.put("peer", r.peer().toString());
            PeerAddress a = linked.get(r.peer());
            m.put("address", a == null ? null : a.toString());
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> neighbours(Overlay overlay) {
        List<Map<String, Object>> preds = new ArrayList<>();
        List<Map<String, Object>> succs = new ArrayList<>();
        for (Map<String, Object> r : routes(overlay)) {
            String role = (String) r.get("role");
            if (role.startsWith("predecessor ")) {
                preds.add(r);
            } else if (role.startsWith("successor ")) {
                succs.add(r);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("predecessors", preds);
        m.put("successors", succs);
        return m;
    }

    static List<Overlay.HeldRecord> records(Overlay overlay) {
        try {
            return await(overlay.records(), "records");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the overlay did not list its records: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> trace(Overlay overlay, String aor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("aor", aor);
        try {
            List<Map<String, Object>> hops = new ArrayList<>();
            for (Overlay.Hop h : await(overlay.trace(aor), "trace")) {
                Map<String, Object> hop = new LinkedHashMap<>();
                hop.put("peer", h.peer().toString());
                hop.put("rttMillis", h.rttMillis());
                hops.add(hop);
            }
            m.put("complete", true);
            m.put("hops", hops);
        } catch (ExecutionException e) {
            m.put("complete", false);
            m.put("error", e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                    : e.getMessage());
        }
        return m;
    }

    static Map<String, Object> probe(Overlay overlay, NodeId node) {
        try {
            Overlay.ProbeResult p = await(overlay.probe(node), "probe");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodeId", p.node().toString());
            m.put("hops", p.hops());
            m.put("rttMillis", p.rttMillis());
            m.put("uptimeSeconds", p.uptimeSeconds());
            m.put("ringShare", p.responsiblePpb() / 1e9);
            m.put("resources", p.resources());
            return m;
        } catch (ExecutionException e) {
            throw new NoSuchElementException("probe of " + node + ": " + (e.getCause() != null
                    && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage()));
        }
    }
}
