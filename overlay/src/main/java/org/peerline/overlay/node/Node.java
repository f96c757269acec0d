package org.peerline.overlay.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.message.Bodies;
import org.peerline.overlay.message.ChordBodies;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.message.Destination;
import org.peerline.overlay.message.ErrorCode;
import org.peerline.overlay.message.ForwardingHeader;
import org.peerline.overlay.message.LinkBodies;
import org.peerline.overlay.message.MessageCode;
import org.peerline.overlay.message.MessageContents;
import org.peerline.overlay.message.ReloadMessage;
import org.peerline.overlay.message.SecurityBlock;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.message.StorageBodies.KindData;
import org.peerline.overlay.topology.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RELOAD peer (RFC 6940): originates, forwards and answers messages with symmetric recursive routing
 * (§6.2), joins through an admitting peer, stores and replicates data, and leaves. Topology decisions
 * belong to its {@link Topology}; links to its {@link Transport}; signatures to its {@link Security}.
 *
 * <p>Every method runs on the node's thread (the {@link Scheduler}'s); the public asynchronous methods
 * may be called from it or handed to it with {@link Scheduler#execute}.
 */
public final class Node implements Transport.Listener, Topology.Host {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    /**
     * Tunables.
     *
     * @param overlayName          the overlay's name (its hash is in every message)
     * @param replicas             copies kept besides the responsible peer's (RFC 6940 §10.4: two)
     * @param requestTimeoutMillis how long an originated request waits for its answer before it is sent again
     * @param attempts             how many times a request is sent before it fails
     * @param models               the data model of each kind this node stores
     * @param access               who may write what (checked on Store, and on Fetch results)
     */
    public record Settings(String overlayName, int replicas, long requestTimeoutMillis, int attempts,
                           StorageBodies.Models models, AccessControl access) {
    }

    /** An answer to a request: its code and body, the peer that sent it, the hops it took back. */
    public record Reply(MessageCode code, byte[] body, NodeId responder, int hops) {
        public boolean isError() {
            return code == MessageCode.ERROR;
        }

        /** The error of an error answer, or null. */
        public Bodies.ErrorResponse error() {
            try {
                return isError() ? Bodies.ErrorResponse.decode(body) : null;
            } catch (DecodeException e) {
                return new Bodies.ErrorResponse(ErrorCode.INVALID_MESSAGE, new byte[0]);
            }
        }
    }

    /** A request failed: no answer after every attempt, or an error answer. */
    public static class RequestFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RequestFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** The responsible peer answered, with an error: asking again will not help. */
    public static final class Refused extends RequestFailed {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /** Most times one request is sent another way because a link died under it. */
    private static final int MAX_REROUTES = 8;

    private static final class Outstanding {
        final CompletableFuture<Reply> future = new CompletableFuture<>();
        final MessageCode code;
        final NodeId target;
        final byte[] bytes;
        final NodeId firstHop;
        int attempts;
        /** Sends after a link died under the request (not counted as attempts). */
        int reroutes;
        NodeId lastHop;
        Scheduler.Timer timer;

        Outstanding(MessageCode code, NodeId target, byte[] bytes, NodeId firstHop) {
            this.code = code;
            this.target = target;
            this.bytes = bytes;
            this.firstHop = firstHop;
        }
    }

    private final NodeId id;
    private final Settings settings;
    private final Scheduler scheduler;
    private final Transport transport;
    private final Security security;
    private final Topology topology;
    private final Random random;
    private final long overlay;
    private final long startedAt;
    private final Storage storage = new Storage();
    private final Map<Long, Outstanding> outstanding = new HashMap<>();
    /** What this node publishes and keeps stored, by resource and kind (see {@link #publish}). */
    private final Map<String, Publication> publications = new HashMap<>();
    private final Map<NodeId, PeerAddress> linked = new HashMap<>();
    private final Map<PeerAddress, List<Consumer<NodeId>>> connecting = new HashMap<>();
    /** Where peers accept links (from Attach candidates and our own dials), for probing lost peers. */
    private final Map<NodeId, PeerAddress> listenAddresses = bounded(512);
    /** Peers that said Leave: gone on purpose, not lost. */
    private final Map<NodeId, Boolean> departed = bounded(256);
    /** Routing peers lost to a link failure, probed with back-off for a while (see {@link #probeLost}). */
    private final Map<NodeId, Lost> lost = new HashMap<>();
    /** Peers known to hold a copy of each resource this node stored or handed on. */
    private final Map<Storage.ResourceKey, Set<NodeId>> holders = new HashMap<>();
    /** Resource names (AORs) that came with stores, passed on with replicas for their access control. */
    private final Map<Storage.ResourceKey, String> names = new HashMap<>();
    private final List<Runnable> membershipListeners = new ArrayList<>();
    private final Stats stats = new Stats();
    private NodeId admittingPeer;
    /**
     * A client (RFC 6940 §3.2.1) takes no place in the ring: it links only to the peer responsible for its
     * Node-ID (its admitting peer, found by an Attach routed to its own id), sends everything through it, and
     * is reached through it. For a node nobody can connect to (a NAT without port forwarding), which could not
     * keep the links a ring member needs.
     */
    private boolean client;
    /** How often a client checks that its peer is still the one responsible for its Node-ID. */
    public static final long CLIENT_RECHECK_MILLIS = 30_000;
    private List<PeerAddress> bootstrap = List.of();
    private Scheduler.Timer rebalance;
    private boolean closed;
    /** True once {@link #join} has started the topology (a failed join may be tried again). */
    private boolean started;

    public Node(NodeId id, Settings settings, Scheduler scheduler, Transport transport, Security security,
                Topology topology, Random random) {
        this.id = id;
        this.settings = settings;
        this.scheduler = scheduler;
        this.transport = transport;
        this.security = security;
        this.topology = topology;
        this.random = random;
        this.overlay = ForwardingHeader.overlayHash(settings.overlayName());
        this.startedAt = scheduler.now();
    }

    public NodeId id() {
        return id;
    }

    public Topology topology() {
        return topology;
    }

    public Stats stats() {
        return stats;
    }

    /** Number of resources stored here (as responsible peer or replica). */
    public int storedResources() {
        return storage.resourceCount();
    }

    /** True if this peer holds a value under {@code resource} (as responsible peer or replica). */
    public boolean holds(byte[] resource) {
        return storage.resources().contains(Storage.ResourceKey.of(resource));
    }

    /** Called when the routing state changes (neighbours or fingers), on the node's thread. */
    public void onMembershipChange(Runnable listener) {
        membershipListeners.add(listener);
    }

    // ------------------------------------------------------------------------------------ join, leave

    /** Makes this node a client rather than a peer (before {@link #join}); see {@link #client}. */
    public void asClient() {
        if (started) {
            throw new IllegalStateException("a node becomes a client before it joins");
        }
        client = true;
    }

    /** This node is a client attached to a peer (not a member of the ring). */
    public boolean isClient() {
        return client;
    }

    /** The peer a client is attached to (null for a peer, or a client between peers). */
    public NodeId attachedPeer() {
        return client ? admittingPeer : null;
    }

    /**
     * Joins the overlay through the first bootstrap peer that answers (RFC 6940 §10.5: Attach to the
     * admitting peer responsible for this node's id, then Join), or starts a new overlay when there are
     * none. Completes when this node is a member of the ring.
     */
    public CompletableFuture<Void> join(List<PeerAddress> bootstrap) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (client && bootstrap.isEmpty()) {
            done.completeExceptionally(new IllegalStateException("a client joins through a bootstrap peer"));
            return done;
        }
        if (started) {
            // a join that failed is tried again: the topology runs already, only the bootstrap is new; with
            // none, the node gives up joining and starts an overlay of its own
            if (topology.joined()) {
                done.completeExceptionally(new IllegalStateException("joined already"));
                return done;
            }
            if (bootstrap.isEmpty()) {
                this.bootstrap = List.of();
                topology.start(this, true);
                done.complete(null);
                return done;
            }
        } else {
            started = true;
            scheduleExpiry();
            if (bootstrap.isEmpty()) {
                topology.start(this, true);
                done.complete(null);
                return done;
            }
            topology.start(this, false);
        }
        this.bootstrap = List.copyOf(bootstrap);
        tryBootstrap(new ArrayList<>(bootstrap), done, JOIN_ROUNDS);
        return done;
    }

    @Override
    public void isolated() {
        if (closed || bootstrap.isEmpty()) {
            return; // the first node of an overlay is alone by design
        }
        log.info("{}: every peer is gone; joining again through {}", id, bootstrap);
        admittingPeer = null;
        scheduler.after(1000 + random.nextInt(2000), () -> {
            if (!closed && !topology.joined()) {
                tryBootstrap(new ArrayList<>(bootstrap), new CompletableFuture<>(), JOIN_ROUNDS);
            }
        });
    }

    /** Rounds over the bootstrap list before a join gives up (a ring busy with other joins may need a second try). */
    static final int JOIN_ROUNDS = 3;

    private void tryBootstrap(List<PeerAddress> left, CompletableFuture<Void> done, int rounds) {
        if (done.isDone()) {
            return;
        }
        if (left.isEmpty()) {
            if (rounds > 1) {
                scheduler.after(500 + random.nextInt(1000), () -> tryBootstrap(new ArrayList<>(bootstrap), done, rounds - 1));
            } else {
                done.completeExceptionally(new RequestFailed("no bootstrap peer answered"));
            }
            return;
        }
        PeerAddress b = left.remove(0);
        boolean[] movedOn = {false};
        Runnable next = () -> {
            if (!movedOn[0] && !done.isDone() && admittingPeer == null) {
                movedOn[0] = true;
                tryBootstrap(left, done, rounds);
            }
        };
        Scheduler.Timer giveUp = scheduler.after(settings.requestTimeoutMillis() * settings.attempts(), next);
        connect(b, bootstrapPeer -> request(new Destination.Node(id), MessageCode.ATTACH_REQ, attachBody("passive"),
                bootstrapPeer).whenComplete((reply, err) -> {
                    if (done.isDone()) {
                        return;
                    }
                    if (err != null || reply.isError()) {
                        log.info("{}: join through {}: {}", id, b, err != null ? err.getMessage()
                                : "Attach refused: " + reply.error().code());
                        giveUp.cancel();
                        next.run();
                        return;
                    }
                    giveUp.cancel();
                    NodeId ap = reply.responder();
                    if (ap.equals(id)) {
                        // the Attach never left this node (the bootstrap link was gone when it was sent): a node
                        // does not admit itself
                        log.info("{}: join through {}: the Attach was not sent on", id, b);
                        next.run();
                        return;
                    }
                    connectFromAttach(reply, ap, apLinked -> {
                        admittingPeer = ap;
                        if (client) {
                            log.info("{}: attached as a client to {}", id, ap);
                            scheduleRecheck();
                            done.complete(null);
                            return;
                        }
                        request(new Destination.Node(ap), MessageCode.JOIN_REQ,
                                new Bodies.JoinReq(id, new byte[0]).encode(), ap).whenComplete((j, e2) -> {
                                    if (e2 != null || j.isError()) {
                                        done.completeExceptionally(e2 != null ? e2
                                                : new RequestFailed("join refused: " + j.error().code() + " "
                                                + new String(j.error().info(), java.nio.charset.StandardCharsets.UTF_8)));
                                        return;
                                    }
                                    topology.onJoined(ap);
                                    log.debug("{} joined through {}", id, ap);
                                    done.complete(null);
                                });
                    });
                }));
    }

    /**
     * A client's periodic check: an Attach routed to its own Node-ID finds the peer responsible for it now (the
     * ring may have changed); if that is another peer, the client attaches there instead, so that what is
     * routed to it arrives.
     */
    private void recheckAttachment() {
        if (closed || !client) {
            return;
        }
        NodeId current = admittingPeer;
        if (current == null || !transport.connected(current)) {
            return; // linkDown has started a new attachment
        }
        request(new Destination.Node(id), MessageCode.ATTACH_REQ, attachBody("passive"), current).whenComplete((r, e) -> {
            if (e == null && !r.isError() && !r.responder().equals(current) && !r.responder().equals(id) && !closed) {
                NodeId moved = r.responder();
                connectFromAttach(r, moved, linked -> {
                    log.info("{}: the peer responsible for this client is now {} (was {})", id, moved, current);
                    admittingPeer = moved;
                });
            }
            scheduleRecheck();
        });
    }

    /** One recheck timer per client, whatever re-attached it in between. */
    private Scheduler.Timer recheckTimer;

    private void scheduleRecheck() {
        if (recheckTimer != null) {
            recheckTimer.cancel();
        }
        recheckTimer = scheduler.after(CLIENT_RECHECK_MILLIS, this::recheckAttachment);
    }

    /**
     * A client that lost its peer attaches again: through the peers it knew and its bootstrap peers; while none
     * answers, it tries again every 10 s (the peers it knew first, should they be back).
     */
    private void reattach() {
        if (closed || admittingPeer != null) {
            return;
        }
        List<PeerAddress> through = new ArrayList<>(new LinkedHashSet<>(listenAddresses.values()));
        through.addAll(bootstrap);
        CompletableFuture<Void> done = new CompletableFuture<>();
        tryBootstrap(through, done, 1);
        done.whenComplete((v, e) -> {
            if (e != null && !closed && admittingPeer == null) {
                log.info("{}: no peer took this client back ({}); trying again in 10 s", id, e.getMessage());
                scheduler.after(10_000, this::reattach);
            }
        });
    }

    /** Leaves gracefully (Leave to every neighbour, §10.9) and closes every link. */
    public void leave() {
        if (closed) {
            return;
        }
        topology.leave();
        scheduler.after(200, this::close);
    }

    /** Stops at once: no Leave, links closed (a crash, from the other peers' point of view, if the links stay open). */
    public void close() {
        closed = true;
        topology.stop();
        publications.values().forEach(p -> {
            if (p.timer != null) {
                p.timer.cancel();
            }
        });
        publications.clear();
        for (Outstanding o : outstanding.values()) {
            if (o.timer != null) {
                o.timer.cancel();
            }
            o.future.completeExceptionally(new RequestFailed("node closed"));
        }
        outstanding.clear();
        transport.close();
    }

    public boolean closed() {
        return closed;
    }

    // ------------------------------------------------------------------------------- store and fetch

    /**
     * Stores values of one kind under {@code resource}, signed by this node, at the responsible peer (which
     * replicates them). Completes with the StoreAns.
     */
    public CompletableFuture<StorageBodies.StoreAns> store(byte[] resource, long kind, List<StorageBodies.Value> values,
                                                           long lifetimeSeconds) {
        return store(resource, null, kind, values, lifetimeSeconds);
    }

    /** As {@link #store(byte[], long, List, long)}, naming the resource (an AOR) for the kind's access control. */
    /** How long a lost peer is probed, and the longest pause between two probes. */
    static final long LOST_PROBE_MILLIS = 3_600_000;
    static final long LOST_PROBE_MAX_GAP_MILLIS = 600_000;
    private static final int MAX_LOST = 64;

    private static final class Lost {
        final PeerAddress address;
        final long since;
        long gap = 15_000;

        Lost(PeerAddress address, long since) {
            this.address = address;
            this.since = since;
        }
    }

    private static <K, V> Map<K, V> bounded(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> e) {
                return size() > max;
            }
        };
    }

    /** A publication kept alive by {@link #publish}: re-stored when half its lifetime has passed. */
    private static final class Publication {
        final byte[] resource;
        final String name;
        final long kind;
        final List<StorageBodies.Value> values;
        final long lifetimeSeconds;
        Scheduler.Timer timer;

        Publication(byte[] resource, String name, long kind, List<StorageBodies.Value> values, long lifetimeSeconds) {
            this.resource = resource;
            this.name = name;
            this.kind = kind;
            this.values = values;
            this.lifetimeSeconds = lifetimeSeconds;
        }
    }

    /**
     * Stores as {@link #store(byte[], String, long, List, long)} and keeps the values stored: they are stored
     * again, newly signed, each time half their lifetime has passed (a failed refresh is retried sooner), until
     * {@link #withdraw} or {@link #close}. The lifetime bounds how long the values outlive this node if it
     * dies. A new publish of the same resource and kind replaces the values kept.
     */
    public CompletableFuture<StorageBodies.StoreAns> publish(byte[] resource, String resourceName, long kind,
                                                             List<StorageBodies.Value> values, long lifetimeSeconds) {
        String key = Storage.ResourceKey.of(resource).hex() + "/" + kind;
        Publication old = publications.remove(key);
        if (old != null && old.timer != null) {
            old.timer.cancel();
        }
        Publication pub = new Publication(resource, resourceName, kind, List.copyOf(values), lifetimeSeconds);
        publications.put(key, pub);
        CompletableFuture<StorageBodies.StoreAns> first = store(resource, resourceName, kind, values, lifetimeSeconds);
        first.whenComplete((a, e) -> {
            if (isRefusal(e)) {
                publications.remove(key, pub); // refused, not lost: there is nothing to keep
            } else {
                scheduleRefresh(key, pub, e == null);
            }
        });
        return first;
    }

    /** Stops refreshing what {@link #publish} keeps under {@code resource} and {@code kind} (the values stay until they expire). */
    public void withdraw(byte[] resource, long kind) {
        Publication pub = publications.remove(Storage.ResourceKey.of(resource).hex() + "/" + kind);
        if (pub != null && pub.timer != null) {
            pub.timer.cancel();
        }
    }

    /** Number of publications this node keeps stored. */
    public int publications() {
        return publications.size();
    }

    private static boolean isRefusal(Throwable e) {
        return e instanceof Refused || e != null && e.getCause() instanceof Refused;
    }

    private void scheduleRefresh(String key, Publication pub, boolean stored) {
        if (closed || publications.get(key) != pub) {
            return;
        }
        long half = pub.lifetimeSeconds * 500;
        // jittered so that a box's publications, stored together, do not all come due in the same second
        long delay = stored ? half - random.nextInt((int) Math.max(1, Math.min(half / 10, Integer.MAX_VALUE)))
                : Math.max(1000, Math.min(30_000, half / 4));
        pub.timer = scheduler.after(delay, () -> {
            if (closed || publications.get(key) != pub) {
                return;
            }
            stats.refreshes++;
            store(pub.resource, pub.name, pub.kind, pub.values, pub.lifetimeSeconds).whenComplete((a, e) -> {
                if (isRefusal(e)) {
                    log.warn("{}: refresh of {} refused, no longer kept: {}", id, pub.name != null ? pub.name : key,
                            e.getMessage());
                    publications.remove(key, pub);
                } else {
                    scheduleRefresh(key, pub, e == null);
                }
            });
        });
    }

    public CompletableFuture<StorageBodies.StoreAns> store(byte[] resource, String resourceName, long kind,
                                                           List<StorageBodies.Value> values, long lifetimeSeconds) {
        long now = scheduler.now();
        List<StorageBodies.StoredData> data = new ArrayList<>();
        for (StorageBodies.Value v : values) {
            byte[] input = StorageBodies.StoredData.signatureInput(resource, kind, now, v, security.identity());
            data.add(new StorageBodies.StoredData(now, lifetimeSeconds, v, security.signData(input)));
        }
        byte[] body = new StorageBodies.StoreReq(resource, 0, List.of(new KindData(kind, 0, data))).encode();
        return request(new Destination.Resource(resource), MessageCode.STORE_REQ, body, null, List.of(),
                nameExtension(resourceName)).thenApply(r -> {
            if (r.isError()) {
                throw new Refused("store refused: " + r.error().code() + " " + new String(r.error().info(),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            try {
                return StorageBodies.StoreAns.decode(r.body());
            } catch (DecodeException e) {
                throw new RequestFailed("bad StoreAns: " + e.getMessage());
            }
        });
    }

    /** A fetch's outcome: the values found per kind, and how many hops the answer took. */
    public record Fetched(List<KindData> kinds, int hops, NodeId responder) {
    }

    /** Fetches from the peer responsible for {@code resource}; values whose signature fails are left out. */
    public CompletableFuture<Fetched> fetch(byte[] resource, List<StorageBodies.Specifier> specifiers) {
        return fetch(resource, null, specifiers);
    }

    /**
     * As {@link #fetch(byte[], List)}, naming the resource (an AOR): values the kind's access control would
     * not have let their signer write are left out too (a wrong or malicious peer's answer).
     */
    public CompletableFuture<Fetched> fetch(byte[] resource, String resourceName, List<StorageBodies.Specifier> specifiers) {
        byte[] body = new StorageBodies.FetchReq(resource, specifiers).encode();
        return request(new Destination.Resource(resource), MessageCode.FETCH_REQ, body, null).thenApply(r -> {
            if (r.isError()) {
                throw new RequestFailed("fetch refused: " + r.error().code());
            }
            try {
                List<KindData> kinds = new ArrayList<>();
                for (KindData kd : StorageBodies.FetchAns.decode(r.body(), settings.models()).kinds()) {
                    List<StorageBodies.StoredData> good = new ArrayList<>();
                    for (StorageBodies.StoredData sd : kd.values()) {
                        byte[] input = StorageBodies.StoredData.signatureInput(resource, kd.kind(), sd.storageTime(),
                                sd.value(), sd.signature().identity());
                        NodeId signer = security.verifyData(input, sd.signature());
                        if (signer != null && settings.access().check(resource, resourceName, kd.kind(), sd.value(),
                                signer, security.domainsOf(sd.signature().identity())) == null) {
                            good.add(sd);
                        }
                    }
                    kinds.add(new KindData(kd.kind(), kd.generation(), good));
                }
                stats.fetches++;
                stats.fetchHops += r.hops();
                return new Fetched(kinds, r.hops(), r.responder());
            } catch (DecodeException e) {
                throw new RequestFailed("bad FetchAns: " + e.getMessage());
            }
        });
    }

    /**
     * Traces the path a message for {@code target} takes (RouteQuery, RFC 6940 §6.4.2.4): each peer on the way
     * is asked where it would send it next, until the responsible peer answers with itself. The last hop is
     * the responsible peer. A peer that does not answer fails the trace.
     */
    public CompletableFuture<List<Overlay.Hop>> trace(NodeId target) {
        CompletableFuture<List<Overlay.Hop>> done = new CompletableFuture<>();
        NodeId first = route(target, null);
        if (first.equals(id)) {
            done.complete(List.of(new Overlay.Hop(id, 0)));
        } else {
            traceStep(first, target, new ArrayList<>(), done);
        }
        return done;
    }

    private void traceStep(NodeId hop, NodeId target, List<Overlay.Hop> hops, CompletableFuture<List<Overlay.Hop>> done) {
        long t0 = scheduler.now();
        request(new Destination.Node(hop), MessageCode.ROUTE_QUERY_REQ,
                new ChordBodies.RouteQueryReq(false, new Destination.Node(target)).encode(), null)
                .whenComplete((r, e) -> {
                    if (e != null || r.isError()) {
                        done.completeExceptionally(new RequestFailed("trace: no answer from " + hop + " after "
                                + hops.size() + " hops"));
                        return;
                    }
                    hops.add(new Overlay.Hop(hop, scheduler.now() - t0));
                    NodeId next;
                    try {
                        next = ChordBodies.RouteQueryAns.decode(r.body()).nextPeer();
                    } catch (DecodeException ex) {
                        done.completeExceptionally(new RequestFailed("trace: bad RouteQueryAns from " + hop));
                        return;
                    }
                    if (next.equals(hop) || hops.size() >= 32) {
                        done.complete(List.copyOf(hops));
                    } else {
                        traceStep(next, target, hops, done);
                    }
                });
    }

    /**
     * Probes the node {@code target} (RFC 6940 §6.4.2.5) for its uptime, its share of the ring and the number
     * of resources it stores. Fails if the answer comes from another node (no node has that Node-ID).
     */
    public CompletableFuture<Overlay.ProbeResult> probe(NodeId target) {
        long t0 = scheduler.now();
        return request(new Destination.Node(target), MessageCode.PROBE_REQ, new LinkBodies.ProbeReq(List.of(
                LinkBodies.ProbeInfo.UPTIME, LinkBodies.ProbeInfo.RESPONSIBLE_SET, LinkBodies.ProbeInfo.NUM_RESOURCES))
                .encode(), null).thenApply(r -> {
                    if (r.isError()) {
                        throw new RequestFailed("probe refused: " + r.error().code());
                    }
                    if (!target.equals(r.responder())) {
                        throw new RequestFailed("no node " + target + " in the overlay (" + r.responder()
                                + " is responsible for that id)");
                    }
                    Map<LinkBodies.ProbeInfo, Long> info;
                    try {
                        info = LinkBodies.ProbeAns.decode(r.body()).info();
                    } catch (DecodeException e) {
                        throw new RequestFailed("bad ProbeAns from " + target + ": " + e.getMessage());
                    }
                    return new Overlay.ProbeResult(target, r.hops(), scheduler.now() - t0,
                            info.getOrDefault(LinkBodies.ProbeInfo.UPTIME, -1L),
                            info.getOrDefault(LinkBodies.ProbeInfo.RESPONSIBLE_SET, -1L),
                            info.getOrDefault(LinkBodies.ProbeInfo.NUM_RESOURCES, -1L));
                });
    }

    /** A value this node holds, for diagnostics: the resource, its name if known, and whether this node is responsible. */
    public record Held(byte[] resource, String name, long kind, StorageBodies.StoredData data, boolean responsible) {
    }

    /**
     * The unexpired values of {@code kind} this node holds for {@code resource}, as responsible peer or replica
     * (deleted values included); empty if it holds none. They were checked when stored.
     */
    public List<StorageBodies.StoredData> localValues(byte[] resource, long kind) {
        List<StorageBodies.StoredData> out = new ArrayList<>();
        for (KindData kd : storage.all(resource, scheduler.now())) {
            if (kd.kind() == kind) {
                out.addAll(kd.values());
            }
        }
        return out;
    }

    /** True if this node has joined and is the peer responsible for {@code resource} (a client never is). */
    public boolean isResponsible(byte[] resource) {
        return !client && topology.joined() && topology.isResponsible(Storage.ResourceKey.of(resource).ring(), null);
    }

    /** Every unexpired value stored here, resource by resource. */
    public List<Held> held() {
        long now = scheduler.now();
        List<Held> out = new ArrayList<>();
        for (Storage.ResourceKey key : storage.resources()) {
            byte[] resource = key.bytes();
            boolean responsible = topology.isResponsible(key.ring(), null);
            for (KindData kd : storage.all(resource, now)) {
                for (StorageBodies.StoredData sd : kd.values()) {
                    out.add(new Held(resource, names.get(key), kd.kind(), sd, responsible));
                }
            }
        }
        return out;
    }

    /** Where this node's routing peers accept links (neighbours first), as far as it knows: to remember across restarts. */
    public List<PeerAddress> peerAddresses() {
        List<PeerAddress> out = new ArrayList<>();
        List<NodeId> order = new ArrayList<>(topology.successors());
        order.addAll(topology.predecessors());
        order.addAll(topology.routingPeers());
        for (NodeId p : order) {
            PeerAddress a = listenAddresses.get(p);
            if (a != null && !out.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    /** Pings the node responsible for {@code target} (or the node itself); the reply says who answered and in how many hops. */
    public CompletableFuture<Reply> ping(NodeId target) {
        return request(new Destination.Node(target), MessageCode.PING_REQ, new Bodies.PingReq(new byte[0]).encode(),
                null);
    }

    // ---------------------------------------------------------------------------------- originating

    private CompletableFuture<Reply> request(Destination dest, MessageCode code, byte[] body, NodeId firstHop) {
        return request(dest, code, body, firstHop, List.of());
    }

    /**
     * Sends a new request. It carries this node's certificate unless it goes to a neighbour over their link
     * (which authenticated us), and the certificates of {@code signers} (of stored data it carries).
     */
    private CompletableFuture<Reply> request(Destination dest, MessageCode code, byte[] body, NodeId firstHop,
                                             Collection<SecurityBlock.SignerIdentity> signers) {
        return request(dest, code, body, firstHop, signers, List.of());
    }

    private CompletableFuture<Reply> request(Destination dest, MessageCode code, byte[] body, NodeId firstHop,
                                             Collection<SecurityBlock.SignerIdentity> signers,
                                             List<MessageContents.Extension> extensions) {
        long txid = random.nextLong();
        ForwardingHeader h = ForwardingHeader.request(overlay, 1, txid, List.of(dest));
        boolean toNeighbour = firstHop != null && dest instanceof Destination.Node n && n.id().equals(firstHop);
        Set<SecurityBlock.SignerIdentity> certs = new LinkedHashSet<>();
        if (!toNeighbour) {
            certs.add(security.identity());
        }
        certs.addAll(signers);
        ReloadMessage m = sign(h, new MessageContents(code.code, body, extensions), certs);
        Outstanding o = new Outstanding(code, targetOf(dest), m.encode(), firstHop);
        if (closed) {
            o.future.completeExceptionally(new RequestFailed("node closed"));
            return o.future;
        }
        outstanding.put(txid, o);
        stats.requestsOriginated++;
        transmit(txid, o);
        return o.future;
    }

    private void transmit(long txid, Outstanding o) {
        o.attempts++;
        if (o.timer != null) {
            o.timer.cancel();
        }
        o.timer = scheduler.after(settings.requestTimeoutMillis(), () -> {
            if (outstanding.get(txid) != o) {
                return;
            }
            if (o.attempts >= settings.attempts()) {
                outstanding.remove(txid);
                o.future.completeExceptionally(new RequestFailed(o.code + " to " + o.target + ": no answer after "
                        + o.attempts + " attempts"));
            } else {
                stats.retransmissions++;
                transmit(txid, o);
            }
        });
        dispatch(txid, o);
    }

    /** Sends an outstanding request on its way: to its fixed first hop, or along the route as it is now. */
    private void dispatch(long txid, Outstanding o) {
        NodeId hop = o.firstHop != null && transport.connected(o.firstHop) ? o.firstHop : route(o.target, null, o.code);
        if (o.attempts > 1 && o.firstHop == null && hop.equals(o.lastHop) && topology.joined()) {
            // the last attempt went this way and got no answer: try another path, if there is one
            NodeId other = topology.alternateHop(o.target, o.lastHop);
            if (other != null) {
                hop = other;
            }
        }
        o.lastHop = hop;
        if (hop.equals(id)) {
            try {
                receivedRequest(ReloadMessage.decode(o.bytes), null, List.of());
            } catch (DecodeException e) {
                throw new IllegalStateException("cannot decode own message", e);
            }
        } else {
            send(hop, o.bytes);
        }
    }

    private NodeId route(NodeId target, NodeId from) {
        if (!topology.joined() && admittingPeer != null && transport.connected(admittingPeer)) {
            return admittingPeer; // a joiner, or a client, routes through its admitting peer
        }
        return topology.nextHop(target, from);
    }

    /**
     * Where a request with {@code code} for {@code target} goes next. As {@link #route}, except that a peer
     * responsible for the Node-ID of a client linked to it delivers the client's application requests
     * (AppAttach, Ping, Probe) to it; the ring's own requests (Attach, Join, Update, ...) keep their Chord
     * routing, which never involves clients.
     */
    private NodeId route(NodeId target, NodeId from, MessageCode code) {
        NodeId hop = route(target, from);
        if ((code == MessageCode.APP_ATTACH_REQ || code == MessageCode.PING_REQ || code == MessageCode.PROBE_REQ)
                && hop.equals(id) && !target.equals(id) && linked.containsKey(target)
                && !topology.routingPeers().contains(target)) {
            return target;
        }
        return hop;
    }

    private ReloadMessage sign(ForwardingHeader h, MessageContents c, Collection<SecurityBlock.SignerIdentity> certs) {
        ReloadMessage unsigned = new ReloadMessage(h, c, new SecurityBlock(List.of(),
                new SecurityBlock.Signature(SecurityBlock.HASH_SHA256, SecurityBlock.SIG_ECDSA, security.identity(),
                        new byte[0])));
        return new ReloadMessage(h, c, security.signMessage(unsigned.signatureInput(), certs));
    }

    private static NodeId targetOf(Destination d) {
        if (d instanceof Destination.Node n) {
            return n.id();
        }
        if (d instanceof Destination.Resource r) {
            byte[] rid = r.id();
            byte[] b = new byte[NodeId.BYTES];
            System.arraycopy(rid, 0, b, 0, Math.min(rid.length, NodeId.BYTES));
            return NodeId.of(b, 0);
        }
        throw new IllegalArgumentException("cannot route to " + d);
    }

    private void send(NodeId peer, byte[] bytes) {
        if (transport.send(peer, bytes)) {
            stats.messagesSent++;
            stats.bytesSent += bytes.length;
        } else {
            log.debug("{}: no link to {}", id, peer);
            linkDown(peer, List.of(bytes));
        }
    }

    // ------------------------------------------------------------------------------------ receiving

    @Override
    public void received(NodeId from, byte[] bytes) {
        if (closed) {
            return;
        }
        stats.messagesReceived++;
        ReloadMessage m;
        try {
            m = ReloadMessage.decode(bytes);
        } catch (DecodeException e) {
            log.debug("{}: undecodable message from {}: {}", id, from, e.getMessage());
            stats.dropped++;
            return;
        }
        if (m.header().overlay() != overlay) {
            stats.dropped++;
            return;
        }
        MessageCode code = m.contents().messageCode();
        List<Destination> dests = m.header().destinations();
        Destination first = dests.get(0);
        boolean forMe = first instanceof Destination.Node n && n.id().equals(id);
        if (code != null && !code.isRequest()) {
            // a response travels the reversed Via list: pop ourselves, pass it on or take it
            if (!forMe) {
                stats.dropped++;
                return;
            }
            if (dests.size() == 1) {
                receivedResponse(m, from);
            } else {
                NodeId next = targetOf(dests.get(1));
                forwardTo(m, dests.subList(1, dests.size()), null, transport.connected(next) ? next : route(next, null));
            }
            return;
        }
        if (code == null) {
            stats.dropped++;
            return;
        }
        List<Destination> via = new ArrayList<>(m.header().via());
        via.add(new Destination.Node(from));
        if (forMe && dests.size() > 1) {
            NodeId next = targetOf(dests.get(1));
            forwardTo(m, dests.subList(1, dests.size()), via, transport.connected(next) ? next : route(next, from));
            return;
        }
        NodeId target = targetOf(first);
        NodeId hop = forMe ? id : route(target, from, code);
        if (hop.equals(id) || hop.equals(from) && topology.isResponsible(target, from)) {
            receivedRequest(m, from, via);
        } else if (m.header().ttl() <= 1) {
            answerError(m, via, ErrorCode.TTL_EXCEEDED, "TTL exceeded at " + id);
        } else {
            stats.forwarded++;
            if (code == MessageCode.ATTACH_REQ && m.header().via().isEmpty()) {
                learnListenAddress(from, m); // a linked peer's own Attach: where it accepts links
            }
            forwardTo(m, dests, via, hop);
        }
    }

    /**
     * Remembers where {@code peer} accepts links from the candidates of its own Attach. A joiner dials its
     * bootstrap peer and routes its Attach through it: the bootstrap peer forwards it and would otherwise
     * know only the joiner's ephemeral port.
     */
    private void learnListenAddress(NodeId peer, ReloadMessage m) {
        try {
            LinkBodies.Attach a = LinkBodies.Attach.decode(m.contents().body());
            if (!a.candidates().isEmpty()) {
                listenAddresses.put(peer, a.candidates().get(0).address());
            }
        } catch (DecodeException e) {
            log.debug("{}: unreadable Attach from {}: {}", id, peer, e.getMessage());
        }
    }

    private void forwardTo(ReloadMessage m, List<Destination> dests, List<Destination> via, NodeId hop) {
        ForwardingHeader h = m.header();
        ForwardingHeader next = new ForwardingHeader(h.overlay(), h.configSequence(), Math.max(0, h.ttl() - 1),
                h.fragment(), h.transactionId(), h.maxResponseLength(), via == null ? h.via() : via, dests, h.options());
        send(hop, new ReloadMessage(next, m.contents(), m.security()).encode());
    }

    private void receivedResponse(ReloadMessage m, NodeId from) {
        Outstanding o = outstanding.remove(m.transactionId());
        if (o == null) {
            stats.strayResponses++;
            return;
        }
        if (o.timer != null) {
            o.timer.cancel();
        }
        // an answer that came straight from the responder (no hop decremented its TTL) over their link is
        // checked against the link's certificate; a relayed one is verified
        boolean direct = from != null && m.header().ttl() == ForwardingHeader.DEFAULT_TTL
                && security.isLinkPeer(from, m.security().signature().identity());
        if (direct) {
            security.learnCertificates(m);
        }
        NodeId responder = direct ? from : security.verifyMessage(m);
        if (responder == null) {
            o.future.completeExceptionally(new RequestFailed("answer with a bad signature"));
            return;
        }
        int hops = responder.equals(id) ? 0 : ForwardingHeader.DEFAULT_TTL - m.header().ttl() + 1;
        o.future.complete(new Reply(m.contents().messageCode(), m.contents().body(), responder, hops));
    }

    private void receivedRequest(ReloadMessage m, NodeId from, List<Destination> via) {
        NodeId origin = via.isEmpty() ? id : targetOf(via.get(0));
        // a request straight from its originator over their mutually authenticated link is checked against
        // the link's certificate (its signer must be the link's peer); one relayed by others is verified
        boolean direct = from != null && via.size() == 1 && origin.equals(from)
                && security.isLinkPeer(from, m.security().signature().identity());
        if (direct) {
            security.learnCertificates(m); // those of stored data it carries, for the data's own signatures
        }
        if (!direct && security.verifyMessage(m) == null) {
            answerError(m, via, ErrorCode.FORBIDDEN, "bad signature");
            return;
        }
        MessageCode code = m.contents().messageCode();
        byte[] body = m.contents().body();
        try {
            switch (code) {
                case PING_REQ -> answer(m, via, MessageCode.PING_ANS,
                        new Bodies.PingAns(random.nextLong(), scheduler.now()).encode());
                case ATTACH_REQ -> {
                    LinkBodies.Attach a = LinkBodies.Attach.decode(body);
                    if (!a.candidates().isEmpty()) {
                        listenAddresses.put(origin, a.candidates().get(0).address());
                    }
                    answer(m, via, MessageCode.ATTACH_ANS, attachBody("active"));
                }
                case APP_ATTACH_REQ -> appAttached(m, via, origin, LinkBodies.AppAttach.decode(body));
                case JOIN_REQ -> {
                    Bodies.JoinReq j = Bodies.JoinReq.decode(body);
                    if (from == null || !j.joiningPeer().equals(from)) {
                        answerError(m, via, ErrorCode.FORBIDDEN, "a peer joins over its own link");
                        return;
                    }
                    byte[] osd = topology.onJoin(j.joiningPeer());
                    // the joiner's data goes to it before the JoinAns (same link, in order): by the time other
                    // peers route to it, it holds what it is responsible for
                    rebalance(new ArrayList<>(storage.resources()));
                    answer(m, via, MessageCode.JOIN_ANS, new Bodies.JoinAns(osd).encode());
                }
                case UPDATE_REQ -> {
                    topology.onUpdate(origin, body);
                    answer(m, via, MessageCode.UPDATE_ANS, new byte[0]);
                }
                case LEAVE_REQ -> {
                    Bodies.LeaveReq l = Bodies.LeaveReq.decode(body);
                    answer(m, via, MessageCode.LEAVE_ANS, new byte[0]);
                    if (l.leavingPeer().equals(origin)) {
                        departed.put(origin, Boolean.TRUE);
                        topology.onLeave(origin, l.overlaySpecific());
                    }
                }
                case ROUTE_QUERY_REQ -> {
                    ChordBodies.RouteQueryReq q = ChordBodies.RouteQueryReq.decode(body);
                    NodeId next = topology.onRouteQuery(origin, targetOf(q.destination()), q.sendUpdate());
                    answer(m, via, MessageCode.ROUTE_QUERY_ANS, new ChordBodies.RouteQueryAns(next).encode());
                }
                case PROBE_REQ -> {
                    Map<LinkBodies.ProbeInfo, Long> info = new LinkedHashMap<>();
                    for (LinkBodies.ProbeInfo p : LinkBodies.ProbeReq.decode(body).requested()) {
                        info.put(p, switch (p) {
                            case RESPONSIBLE_SET -> topology.responsiblePpb();
                            case NUM_RESOURCES -> (long) storage.resourceCount();
                            case UPTIME -> uptimeSeconds();
                        });
                    }
                    answer(m, via, MessageCode.PROBE_ANS, new LinkBodies.ProbeAns(info).encode());
                }
                case STORE_REQ -> store(m, via, from, StorageBodies.StoreReq.decode(body, settings.models()));
                case FETCH_REQ -> {
                    StorageBodies.FetchReq f = StorageBodies.FetchReq.decode(body, settings.models());
                    List<KindData> found = storage.fetch(f.resource(), f.specifiers(), scheduler.now());
                    answer(m, via, MessageCode.FETCH_ANS, new StorageBodies.FetchAns(found).encode(), signers(found));
                }
                default -> answerError(m, via, ErrorCode.FORBIDDEN, code + " is not supported by this peer");
            }
        } catch (StorageBodies.UnknownKindException e) {
            answerError(m, via, ErrorCode.UNKNOWN_KIND, e.getMessage());
        } catch (DecodeException e) {
            answerError(m, via, ErrorCode.INVALID_MESSAGE, e.getMessage());
        }
    }

    /**
     * The application's answer to an AppAttach (RFC 6940 §6.5.2) from another node: given the request's
     * origin and body, it completes with the answer's role and candidates (on any thread).
     */
    public interface AppAttachHandler {
        CompletableFuture<LinkBodies.AppAttach> answer(NodeId origin, LinkBodies.AppAttach request);
    }

    private volatile AppAttachHandler appAttachHandler;

    /** Who answers AppAttach requests for this node; without one they are refused (Forbidden). */
    public void onAppAttach(AppAttachHandler handler) {
        this.appAttachHandler = handler;
    }

    private void appAttached(ReloadMessage m, List<Destination> via, NodeId origin, LinkBodies.AppAttach req) {
        AppAttachHandler h = appAttachHandler;
        if (h == null) {
            answerError(m, via, ErrorCode.FORBIDDEN, "no application " + req.application() + " here");
            return;
        }
        h.answer(origin, req).whenComplete((ans, err) -> scheduler.execute(() -> {
            if (err != null || ans == null) {
                answerError(m, via, ErrorCode.NOT_FOUND, "application " + req.application() + " refused: "
                        + (err == null ? "no answer" : err.getMessage()));
            } else {
                answer(m, via, MessageCode.APP_ATTACH_ANS, ans.encode());
            }
        }));
    }

    /**
     * Sends an AppAttach to node {@code target} through the overlay; completes with its answer, or fails if the
     * node refuses, or another node answers (no node with that id is in the overlay).
     */
    public CompletableFuture<LinkBodies.AppAttach> appAttach(NodeId target, int application,
                                                             List<LinkBodies.Candidate> candidates) {
        byte[] body = new LinkBodies.AppAttach(iceString(8), iceString(24), application, "passive", candidates).encode();
        return request(new Destination.Node(target), MessageCode.APP_ATTACH_REQ, body, null).thenApply(r -> {
            if (r.isError()) {
                throw new RequestFailed("AppAttach refused by " + r.responder() + ": " + r.error().code() + " "
                        + new String(r.error().info(), java.nio.charset.StandardCharsets.UTF_8));
            }
            if (!target.equals(r.responder())) {
                throw new RequestFailed("no node " + target + " in the overlay (" + r.responder() + " answered)");
            }
            try {
                return LinkBodies.AppAttach.decode(r.body());
            } catch (DecodeException e) {
                throw new RequestFailed("bad AppAttachAns from " + target + ": " + e.getMessage());
            }
        });
    }

    private void store(ReloadMessage m, List<Destination> via, NodeId from, StorageBodies.StoreReq req) {
        long now = scheduler.now();
        String name = m.contents().resourceName();
        for (KindData kd : req.kinds()) {
            for (StorageBodies.StoredData sd : kd.values()) {
                byte[] input = StorageBodies.StoredData.signatureInput(req.resource(), kd.kind(), sd.storageTime(),
                        sd.value(), sd.signature().identity());
                NodeId signer = security.verifyData(input, sd.signature());
                if (signer == null) {
                    answerError(m, via, ErrorCode.FORBIDDEN, "stored data with a bad signature");
                    return;
                }
                String why = settings.access().check(req.resource(), name, kd.kind(), sd.value(), signer,
                        security.domainsOf(sd.signature().identity()));
                if (why != null) {
                    log.info("{}: store of kind {} refused: {}", id, kd.kind(), why);
                    answerError(m, via, ErrorCode.FORBIDDEN, why);
                    return;
                }
            }
        }
        List<StorageBodies.KindResponse> responses = new ArrayList<>();
        List<NodeId> replicas = req.replicaNumber() == 0 ? topology.replicaPeers(settings.replicas()) : List.of();
        for (KindData kd : req.kinds()) {
            Storage.Refusal refusal = storage.store(req.resource(), kd, now);
            if (refusal != null) {
                answerError(m, via, refusal.code(), refusal.reason());
                return;
            }
            responses.add(new StorageBodies.KindResponse(kd.kind(), storage.generation(req.resource(), kd.kind()),
                    replicas));
        }
        if (name != null) {
            names.put(Storage.ResourceKey.of(req.resource()), name);
        }
        answer(m, via, MessageCode.STORE_ANS, new StorageBodies.StoreAns(responses).encode());
        if (req.replicaNumber() == 0) {
            Storage.ResourceKey key = Storage.ResourceKey.of(req.resource());
            Set<NodeId> held = holders.computeIfAbsent(key, k -> new HashSet<>());
            for (int i = 0; i < replicas.size(); i++) {
                replicate(replicas.get(i), req.resource(), req.kinds(), i + 1);
                held.add(replicas.get(i));
            }
        }
    }

    private void replicate(NodeId to, byte[] resource, List<KindData> kinds, int replicaNumber) {
        if (kinds.isEmpty()) {
            return;
        }
        List<KindData> unconditional = kinds.stream().map(k -> new KindData(k.kind(), 0, k.values())).toList();
        stats.replicaStores++;
        request(new Destination.Node(to), MessageCode.STORE_REQ,
                new StorageBodies.StoreReq(resource, replicaNumber, unconditional).encode(), to, signers(unconditional),
                nameExtension(names.get(Storage.ResourceKey.of(resource))));
    }

    private static List<MessageContents.Extension> nameExtension(String name) {
        return name == null ? List.of() : List.of(MessageContents.resourceNameExtension(name));
    }

    private static Set<SecurityBlock.SignerIdentity> signers(List<KindData> kinds) {
        Set<SecurityBlock.SignerIdentity> out = new LinkedHashSet<>();
        for (KindData kd : kinds) {
            for (StorageBodies.StoredData sd : kd.values()) {
                out.add(sd.signature().identity());
            }
        }
        return out;
    }

    private void answer(ReloadMessage req, List<Destination> via, MessageCode code, byte[] body) {
        answer(req, via, code, body, List.of());
    }

    /** Answers along the reversed Via list, with our certificate unless the requester is the neighbour itself. */
    private void answer(ReloadMessage req, List<Destination> via, MessageCode code, byte[] body,
                        Collection<SecurityBlock.SignerIdentity> signers) {
        Set<SecurityBlock.SignerIdentity> certs = new LinkedHashSet<>();
        if (via.size() > 1) {
            certs.add(security.identity());
        }
        certs.addAll(signers);
        List<Destination> back = new ArrayList<>(via);
        Collections.reverse(back);
        if (back.isEmpty()) {
            // answering our own request
            ForwardingHeader h = new ForwardingHeader(overlay, 1, ForwardingHeader.DEFAULT_TTL,
                    ForwardingHeader.UNFRAGMENTED, req.transactionId(), 0, List.of(), List.of(new Destination.Node(id)),
                    List.of());
            receivedResponse(sign(h, new MessageContents(code, body), List.of()), null);
            return;
        }
        ForwardingHeader h = new ForwardingHeader(overlay, 1, ForwardingHeader.DEFAULT_TTL, ForwardingHeader.UNFRAGMENTED,
                req.transactionId(), 0, List.of(), back, List.of());
        // the first entry is the neighbour the request came from: the answer goes back over that link
        send(targetOf(back.get(0)), sign(h, new MessageContents(code, body), certs).encode());
    }

    private void answerError(ReloadMessage req, List<Destination> via, ErrorCode code, String info) {
        if (!req.contents().messageCode().isRequest()) {
            return;
        }
        answer(req, via, MessageCode.ERROR, new Bodies.ErrorResponse(code,
                info.getBytes(java.nio.charset.StandardCharsets.UTF_8)).encode());
    }

    // ----------------------------------------------------------------------------------------- links

    /** ICE's ice-char (RFC 8445 §5.3): what an Attach's ufrag and password are made of. */
    private static final byte[] ICE_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] iceString(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = ICE_CHARS[random.nextInt(ICE_CHARS.length)];
        }
        return b;
    }

    private byte[] attachBody(String role) {
        // ICE wants a ufrag of 4 or more ice-chars and a password of 22 or more (RFC 8445 §5.3); with no ICE
        // run (TLS host candidates), they only identify the attempt, but they must still be well formed
        byte[] ufrag = iceString(8);
        byte[] pwd = iceString(24);
        return new LinkBodies.Attach(ufrag, pwd, role, List.of(LinkBodies.Candidate.host(transport.localAddress())),
                false).encode();
    }

    private void connect(PeerAddress address, Consumer<NodeId> then) {
        for (Map.Entry<NodeId, PeerAddress> e : linked.entrySet()) {
            if (e.getValue().equals(address)) {
                then.accept(e.getKey());
                return;
            }
        }
        boolean first = !connecting.containsKey(address);
        connecting.computeIfAbsent(address, a -> new ArrayList<>()).add(then);
        if (first) {
            transport.connect(address);
        }
    }

    private void connectFromAttach(Reply reply, NodeId responder, Consumer<NodeId> then) {
        if (transport.connected(responder)) {
            then.accept(responder);
            return;
        }
        try {
            LinkBodies.Attach a = LinkBodies.Attach.decode(reply.body());
            if (a.candidates().isEmpty()) {
                return;
            }
            connect(a.candidates().get(0).address(), peer -> {
                if (peer.equals(responder)) {
                    listenAddresses.put(peer, a.candidates().get(0).address());
                    then.accept(peer);
                } else {
                    log.debug("{}: {} answered the Attach but {} took the link", id, responder, peer);
                }
            });
        } catch (DecodeException e) {
            log.debug("{}: bad AttachAns from {}: {}", id, responder, e.getMessage());
        }
    }

    @Override
    public void linkUp(NodeId peer, PeerAddress address) {
        if (closed) {
            return;
        }
        linked.put(peer, address);
        List<Consumer<NodeId>> waiting = connecting.remove(address);
        if (waiting != null) {
            listenAddresses.put(peer, address); // we dialled it there
        }
        topology.linkUp(peer);
        if (waiting != null) {
            waiting.forEach(c -> c.accept(peer));
        }
    }

    @Override
    public void linkDown(NodeId peer, List<byte[]> undelivered) {
        if (closed) {
            return;
        }
        boolean wasLinked = linked.remove(peer) != null;
        boolean routing = topology.routingPeers().contains(peer);
        if (wasLinked || routing) {
            stats.linkFailures++;
            if (routing && departed.remove(peer) == null) {
                lose(peer);
            }
            topology.linkDown(peer);
            for (Set<NodeId> h : holders.values()) {
                h.remove(peer);
            }
        }
        if (peer.equals(admittingPeer) && !topology.joined()) {
            admittingPeer = null;
            if (client && !bootstrap.isEmpty()) {
                log.info("{}: lost the peer this client was attached to ({}); attaching again", id, peer);
                scheduler.after(500 + random.nextInt(1000), this::reattach);
            }
        }
        // what the dead link did not deliver goes another way at once, rather than waiting for a timeout
        for (byte[] b : undelivered) {
            try {
                ReloadMessage m = ReloadMessage.decode(b);
                MessageCode code = m.contents().messageCode();
                if (code == null || !code.isRequest()) {
                    continue;
                }
                Outstanding o = outstanding.get(m.transactionId());
                if (o != null && m.header().via().isEmpty()) {
                    if (o.firstHop == null || o.firstHop.equals(peer)) {
                        stats.reroutes++;
                        scheduler.execute(() -> {
                            if (outstanding.get(m.transactionId()) == o && o.reroutes < MAX_REROUTES) {
                                // the link died under it: send it another way now; this is not a timed-out
                                // attempt (a dead finger met on the way costs no attempt, and no time)
                                o.reroutes++;
                                dispatch(m.transactionId(), o);
                            }
                        });
                    }
                } else if (!m.header().via().isEmpty()) {
                    NodeId target = targetOf(m.header().destinations().get(0));
                    NodeId hop = topology.nextHop(target, null);
                    if (!hop.equals(id) && !hop.equals(peer)) {
                        stats.reroutes++;
                        send(hop, b);
                    } else if (hop.equals(id)) {
                        receivedRequest(m, null, m.header().via());
                    }
                }
            } catch (DecodeException e) {
                // our own bytes: cannot happen
            }
        }
    }

    /**
     * A routing peer's link failed without a Leave: it crashed, or a partition separates us. Probe it from time
     * to time (15 s, then doubling up to 10 min, for an hour): if it answers, the partition has healed and it
     * may sit on a ring of its own by now, so the topology takes it back and the rings merge. A crashed peer
     * costs only connection attempts.
     */
    private void lose(NodeId peer) {
        PeerAddress at = listenAddresses.get(peer);
        if (at == null || lost.containsKey(peer) || lost.size() >= MAX_LOST) {
            return;
        }
        Lost l = new Lost(at, scheduler.now());
        lost.put(peer, l);
        scheduler.after(l.gap + random.nextInt(5000), () -> probeLost(peer, l));
    }

    private void probeLost(NodeId peer, Lost l) {
        if (closed || lost.get(peer) != l) {
            return;
        }
        if (linked.containsKey(peer)) {
            lost.remove(peer);
            topology.reconnected(peer);
            return;
        }
        if (scheduler.now() - l.since > LOST_PROBE_MILLIS) {
            lost.remove(peer);
            return;
        }
        stats.lostProbes++;
        connect(l.address, p -> {
            if (p.equals(peer) && lost.remove(peer) == l) {
                log.info("{}: {} at {} is reachable again; taking it back", id, peer, l.address);
                topology.reconnected(peer);
            }
        });
        l.gap = Math.min(2 * l.gap, LOST_PROBE_MAX_GAP_MILLIS);
        scheduler.after(l.gap + random.nextInt(5000), () -> probeLost(peer, l));
    }

    @Override
    public void connectFailed(PeerAddress address, String reason) {
        connecting.remove(address);
        log.debug("{}: cannot link to {}: {}", id, address, reason);
    }

    // ------------------------------------------------------------------------------- Topology.Host

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public Random random() {
        return random;
    }

    @Override
    public long uptimeSeconds() {
        return (scheduler.now() - startedAt) / 1000;
    }

    @Override
    public boolean linked(NodeId peer) {
        return transport.connected(peer);
    }

    @Override
    public void sendUpdate(NodeId to, byte[] body) {
        stats.updatesSent++;
        request(new Destination.Node(to), MessageCode.UPDATE_REQ, body, to);
    }

    @Override
    public void sendLeave(NodeId to, byte[] overlaySpecific) {
        request(new Destination.Node(to), MessageCode.LEAVE_REQ, new Bodies.LeaveReq(id, overlaySpecific).encode(), to);
    }

    @Override
    public void sendRouteQuery(NodeId to, NodeId target, boolean sendUpdate) {
        request(new Destination.Node(to), MessageCode.ROUTE_QUERY_REQ,
                new ChordBodies.RouteQueryReq(sendUpdate, new Destination.Node(target)).encode(), to);
    }

    @Override
    public void attach(NodeId target, NodeId via, Consumer<NodeId> then) {
        request(new Destination.Node(target), MessageCode.ATTACH_REQ, attachBody("passive"), via)
                .whenComplete((reply, err) -> {
                    if (err == null && !reply.isError() && !reply.responder().equals(id)) {
                        connectFromAttach(reply, reply.responder(), then);
                    }
                });
    }

    @Override
    public void unlink(NodeId peer) {
        linked.remove(peer);
        transport.disconnect(peer);
    }

    @Override
    public void neighboursChanged() {
        membershipListeners.forEach(Runnable::run);
        if (rebalance == null && !closed) {
            rebalance = scheduler.after(1000, () -> {
                rebalance = null;
                rebalance();
            });
        }
    }

    /**
     * Keeps every resource at its responsible peer and replicas (RFC 6940 §10.4, §10.7): what this node is
     * responsible for goes to replica peers that do not have it yet; what a new predecessor is now responsible
     * for goes to it.
     */
    private void rebalance() {
        if (closed || !topology.joined()) {
            return;
        }
        rebalanceFrom(new ArrayList<>(storage.resources()), 0);
    }

    /** Resources handled per step of a rebalance; the rest follow a moment later, so a node never stalls on it. */
    static final int REBALANCE_BATCH = 64;

    private void rebalanceFrom(List<Storage.ResourceKey> keys, int start) {
        if (closed || !topology.joined()) {
            return;
        }
        int end = Math.min(keys.size(), start + REBALANCE_BATCH);
        rebalance(keys.subList(start, end));
        if (end < keys.size()) {
            scheduler.after(20, () -> rebalanceFrom(keys, end));
        }
    }

    private void rebalance(List<Storage.ResourceKey> keys) {
        long now = scheduler.now();
        List<NodeId> replicas = topology.replicaPeers(settings.replicas());
        List<NodeId> preds = topology.predecessors();
        for (Storage.ResourceKey key : keys) {
            NodeId rid = key.ring();
            Set<NodeId> held = holders.computeIfAbsent(key, k -> new HashSet<>());
            if (topology.isResponsible(rid, null)) {
                List<KindData> all = null;
                for (int i = 0; i < replicas.size(); i++) {
                    if (held.add(replicas.get(i))) {
                        all = all == null ? storage.all(key.bytes(), now) : all;
                        replicate(replicas.get(i), key.bytes(), all, i + 1);
                    }
                }
            } else {
                // a replica: the responsible peer is the predecessor preds[i] whose range holds the resource, and
                // it and the peers between it and us should hold it too. Whoever of them lacks it (a new peer, or
                // one that took over from a dead one) gets it from us: when two peers in a row are new, only the
                // replica further on still has the data.
                // in a ring of only a few peers, the predecessors are everyone and the last one's predecessor is us
                boolean wholeRing = new HashSet<>(preds).equals(new HashSet<>(topology.successors()));
                for (int i = 0; i < preds.size() && i < settings.replicas(); i++) {
                    NodeId lo = i + 1 < preds.size() ? preds.get(i + 1) : wholeRing ? id : null;
                    if (lo == null || !rid.inHalfOpen(lo, preds.get(i))) {
                        continue;
                    }
                    List<KindData> all = null;
                    for (int j = i; j >= 0; j--) {
                        if (held.add(preds.get(j))) {
                            all = all == null ? storage.all(key.bytes(), now) : all;
                            replicate(preds.get(j), key.bytes(), all, i - j);
                        }
                    }
                    break;
                }
            }
        }
    }

    private void scheduleExpiry() {
        scheduler.after(60_000, () -> {
            if (closed) {
                return;
            }
            storage.expireAll(scheduler.now());
            holders.keySet().retainAll(storage.resources());
            names.keySet().retainAll(storage.resources());
            scheduleExpiry();
        });
    }

    /** Counters for diagnostics and the simulator. */
    public static final class Stats {
        public long messagesSent;
        public long messagesReceived;
        public long bytesSent;
        public long forwarded;
        public long requestsOriginated;
        public long retransmissions;
        public long reroutes;
        public long linkFailures;
        public long dropped;
        public long strayResponses;
        public long updatesSent;
        public long replicaStores;
        public long refreshes;
        public long lostProbes;
        /** Fetches answered, and the hops their answers took in all (their ratio: hops per lookup). */
        public long fetches;
        public long fetchHops;

        /** The counters by name, for the diagnostics API. */
        public Map<String, Long> asMap() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("messagesSent", messagesSent);
            m.put("messagesReceived", messagesReceived);
            m.put("bytesSent", bytesSent);
            m.put("forwarded", forwarded);
            m.put("requestsOriginated", requestsOriginated);
            m.put("retransmissions", retransmissions);
            m.put("reroutes", reroutes);
            m.put("linkFailures", linkFailures);
            m.put("dropped", dropped);
            m.put("strayResponses", strayResponses);
            m.put("updatesSent", updatesSent);
            m.put("replicaStores", replicaStores);
            m.put("refreshes", refreshes);
            m.put("lostProbes", lostProbes);
            m.put("fetches", fetches);
            m.put("fetchHops", fetchHops);
            return m;
        }
    }
}
