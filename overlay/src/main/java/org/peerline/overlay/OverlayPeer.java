package org.peerline.overlay;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.chord.ChordTopology;
import org.peerline.overlay.link.LinkCapture;
import org.peerline.overlay.link.TlsTransport;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.message.LinkBodies;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.AccessControl;
import org.peerline.overlay.node.Node;
import org.peerline.overlay.security.Credentials;
import org.peerline.overlay.security.X509Security;
import org.peerline.overlay.usage.GlobalExtension;
import org.peerline.overlay.usage.DnsEntries;
import org.peerline.overlay.usage.RelayOffers;
import org.peerline.overlay.usage.SipRegistration;

/**
 * The overlay as a Peerline box runs it: a RELOAD node with CHORD-RELOAD over TLS links, the SIP usage,
 * on one event loop of its own. Every public method hands its work to that loop and returns at once.
 */
public final class OverlayPeer implements Overlay {
    private final MultiThreadIoEventLoopGroup group;
    private final EventLoop loop;
    private final Node node;
    private final TlsTransport transport;
    private final PeerAddress address;
    private final String overlayName;
    private final LinkCapture capture;
    private final List<Consumer<Set<NodeId>>> listeners = new CopyOnWriteArrayList<>();
    private volatile Set<NodeId> members;

    private OverlayPeer(MultiThreadIoEventLoopGroup group, EventLoop loop, Node node, TlsTransport transport,
                        PeerAddress address, String overlayName, LinkCapture capture) {
        this.overlayName = overlayName;
        this.capture = capture;
        this.group = group;
        this.loop = loop;
        this.node = node;
        this.transport = transport;
        this.address = address;
        this.members = Set.of(node.id());
    }

    /** Starts listening on {@code listen} (port 0: any free port) with the box's credentials. */
    public static OverlayPeer start(String overlayName, Credentials credentials, PeerAddress listen) {
        return start(overlayName, credentials, listen, null);
    }

    /**
     * As {@link #start(String, Credentials, PeerAddress)}, writing the decrypted stream of every link to the pcap
     * file {@code capture} (debugging; see {@link LinkCapture}); null for none.
     */
    public static OverlayPeer start(String overlayName, Credentials credentials, PeerAddress listen, Path capture) {
        return start(overlayName, credentials, listen, null, capture);
    }

    /**
     * As {@link #start(String, Credentials, PeerAddress, Path)}, telling other peers to dial {@code advertise}
     * (a router's public address that forwards to {@code listen}); null: {@code listen}.
     */
    public static OverlayPeer start(String overlayName, Credentials credentials, PeerAddress listen,
                                    PeerAddress advertise, Path capture) {
        return start(overlayName, credentials, listen, advertise, capture, false);
    }

    /**
     * As above; {@code client}: the box joins as a RELOAD client (RFC 6940 §3.2.1), linked only to the peer
     * responsible for its Node-ID, for a box nobody can connect to.
     */
    public static OverlayPeer start(String overlayName, Credentials credentials, PeerAddress listen,
                                    PeerAddress advertise, Path capture, boolean client) {
        LinkCapture pcap = null;
        if (capture != null) {
            try {
                pcap = LinkCapture.open(capture);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the link capture " + capture + ": " + e.getMessage(), e);
            }
        }
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoop loop = group.next();
        X509Security security = new X509Security(credentials);
        TlsTransport transport = new TlsTransport(loop, credentials, security, listen);
        transport.capture(pcap);
        transport.advertise(advertise);
        Node node = new Node(credentials.nodeId(), new Node.Settings(overlayName, 2, 3000, 3,
                kind -> kind == SipRegistration.KIND || kind == GlobalExtension.KIND || kind == RelayOffers.KIND
                        || kind == DnsEntries.KIND ? StorageBodies.DataModel.DICTIONARY : null,
                SipRegistration.policy(GlobalExtension.policy(RelayOffers.policy(DnsEntries.policy(
                        AccessControl.ANY_SIGNER))))), transport, transport, security,
                new ChordTopology(credentials.nodeId(), ChordTopology.Settings.defaults()), new java.security.SecureRandom());
        transport.listener(node);
        if (client) {
            node.asClient();
        }
        PeerAddress bound;
        try {
            bound = transport.start().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            closeQuietly(pcap);
            throw new IllegalStateException("cannot listen for overlay links on " + listen + ": " + e.getMessage(), e);
        }
        OverlayPeer p = new OverlayPeer(group, loop, node, transport, bound, overlayName, pcap);
        loop.execute(() -> node.onMembershipChange(p::membershipChanged));
        return p;
    }

    private void membershipChanged() {
        Set<NodeId> m = new HashSet<>(node.topology().routingPeers());
        m.add(node.id());
        Set<NodeId> now = Set.copyOf(m);
        if (!now.equals(members)) {
            members = now;
            listeners.forEach(l -> l.accept(now));
        }
    }

    private <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> out = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                work.get().whenComplete((v, e) -> {
                    if (e != null) {
                        out.completeExceptionally(e instanceof java.util.concurrent.CompletionException c
                                && c.getCause() != null ? c.getCause() : e);
                    } else {
                        out.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            }
        });
        return out;
    }

    @Override
    public NodeId nodeId() {
        return node.id();
    }

    @Override
    public PeerAddress address() {
        return address;
    }

    /** This box joined as a RELOAD client (it cannot be connected to). */
    public boolean client() {
        return node.isClient();
    }

    @Override
    public CompletableFuture<Void> join(List<PeerAddress> bootstrap) {
        return onLoop(() -> node.join(bootstrap));
    }

    @Override
    public CompletableFuture<Void> leave() {
        return onLoop(() -> {
            node.leave();
            return CompletableFuture.completedFuture(null);
        });
    }

    @Override
    public CompletableFuture<Void> publish(String aor, String uri, Duration lifetime) {
        return publish(SipRegistration.resourceId(aor), SipRegistration.resourceName(aor), SipRegistration.KIND,
                uri == null ? SipRegistration.routeEntry(node.id()) : SipRegistration.entry(node.id(), uri), lifetime);
    }

    @Override
    public CompletableFuture<AppAttachResult> appAttach(NodeId box, int application, List<PeerAddress> candidates) {
        List<LinkBodies.Candidate> cands = candidates.stream().map(LinkBodies.Candidate::host).toList();
        return onLoop(() -> node.appAttach(box, application, cands)).thenApply(OverlayPeer::result);
    }

    @Override
    public void onAppAttach(AppAttachHandler handler) {
        node.onAppAttach((origin, req) -> handler.answer(origin, req.application(),
                req.candidates().stream().map(LinkBodies.Candidate::address).toList()).thenApply(r ->
                new LinkBodies.AppAttach(req.ufrag(), req.password(), req.application(),
                        r.connected() ? "active" : "passive",
                        r.candidates().stream().map(LinkBodies.Candidate::host).toList())));
    }

    @Override
    public CompletableFuture<Void> offerRelay(RelayOffer offer, Duration lifetime) {
        return publish(RelayOffers.resourceId(), RelayOffers.RESOURCE_NAME, RelayOffers.KIND, RelayOffers.entry(offer),
                lifetime);
    }

    @Override
    public CompletableFuture<List<RelayOffer>> relayOffers() {
        byte[] rid = RelayOffers.resourceId();
        return onLoop(() -> node.fetch(rid, RelayOffers.RESOURCE_NAME, List.of(new StorageBodies.Specifier(
                RelayOffers.KIND, 0, StorageBodies.DataModel.DICTIONARY, List.of(), List.of())))).thenApply(f -> {
                    List<RelayOffer> out = new ArrayList<>();
                    f.kinds().forEach(kd -> kd.values().forEach(sd -> {
                        if (sd.value().exists()) {
                            try {
                                out.add(RelayOffers.offerOf(NodeId.of(sd.value().key(), 0), sd.value().data()));
                            } catch (DecodeException | IllegalArgumentException e) {
                                // an offer this box cannot read is not one it can use
                            }
                        }
                    }));
                    return out;
                });
    }

    @Override
    public CompletableFuture<Void> announceDns(String zone, DnsEntry entry, Duration lifetime) {
        return publish(DnsEntries.resourceId(zone), DnsEntries.resourceName(zone), DnsEntries.KIND,
                DnsEntries.entry(entry), lifetime);
    }

    @Override
    public CompletableFuture<Void> withdrawDns(String zone) {
        return unpublish(DnsEntries.resourceId(zone), DnsEntries.resourceName(zone), DnsEntries.KIND,
                StorageBodies.Value.dictionaryEntry(node.id().toBytes(), new byte[0]));
    }

    /**
     * The zone's entries: from this box's own storage when it holds the dictionary (as responsible peer or
     * replica: the writer always does, and must not wait for a dead peer), else fetched.
     */
    @Override
    public CompletableFuture<List<DnsEntry>> dnsEntries(String zone) {
        byte[] rid = DnsEntries.resourceId(zone);
        return onLoop(() -> {
            List<StorageBodies.StoredData> held = node.localValues(rid, DnsEntries.KIND);
            if (!held.isEmpty() || node.isResponsible(rid)) {
                return CompletableFuture.completedFuture(dnsEntries(held));
            }
            return node.fetch(rid, DnsEntries.resourceName(zone), List.of(new StorageBodies.Specifier(DnsEntries.KIND, 0,
                    StorageBodies.DataModel.DICTIONARY, List.of(), List.of()))).thenApply(f -> {
                        List<StorageBodies.StoredData> all = new ArrayList<>();
                        f.kinds().forEach(kd -> all.addAll(kd.values()));
                        return dnsEntries(all);
                    });
        });
    }

    private static List<DnsEntry> dnsEntries(List<StorageBodies.StoredData> values) {
        List<DnsEntry> out = new ArrayList<>();
        for (StorageBodies.StoredData sd : values) {
            if (sd.value().exists()) {
                try {
                    out.add(DnsEntries.entryOf(NodeId.of(sd.value().key(), 0), sd.value().data()));
                } catch (DecodeException | IllegalArgumentException e) {
                    // checked when stored: cannot happen
                }
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<Boolean> writesDns(String zone) {
        byte[] rid = DnsEntries.resourceId(zone);
        return onLoop(() -> CompletableFuture.completedFuture(node.isResponsible(rid)));
    }

    private static AppAttachResult result(LinkBodies.AppAttach ans) {
        return new AppAttachResult("active".equals(ans.role()),
                ans.candidates().stream().map(LinkBodies.Candidate::address).toList());
    }

    @Override
    public CompletableFuture<Void> unpublish(String aor) {
        return unpublish(SipRegistration.resourceId(aor), SipRegistration.resourceName(aor), SipRegistration.KIND,
                SipRegistration.entry(node.id(), ""));
    }

    @Override
    public CompletableFuture<List<Registration>> lookup(String aor) {
        return lookup(SipRegistration.resourceId(aor), SipRegistration.resourceName(aor), SipRegistration.KIND);
    }

    @Override
    public CompletableFuture<Void> publishExtension(String extension, String aor, Duration lifetime) {
        return publish(GlobalExtension.resourceId(extension), GlobalExtension.resourceName(extension),
                GlobalExtension.KIND, GlobalExtension.entry(node.id(), aor), lifetime);
    }

    @Override
    public CompletableFuture<Void> unpublishExtension(String extension) {
        return unpublish(GlobalExtension.resourceId(extension), GlobalExtension.resourceName(extension),
                GlobalExtension.KIND, GlobalExtension.entry(node.id(), ""));
    }

    @Override
    public CompletableFuture<List<Registration>> lookupExtension(String extension) {
        return lookup(GlobalExtension.resourceId(extension), GlobalExtension.resourceName(extension),
                GlobalExtension.KIND);
    }

    private CompletableFuture<Void> publish(byte[] rid, String name, long kind, StorageBodies.Value entry,
                                            Duration lifetime) {
        return onLoop(() -> node.publish(rid, name, kind, List.of(entry), lifetime.toSeconds())).thenApply(a -> null);
    }

    private CompletableFuture<Void> unpublish(byte[] rid, String name, long kind, StorageBodies.Value emptyEntry) {
        return onLoop(() -> {
            node.withdraw(rid, kind);
            return node.store(rid, name, kind, List.of(emptyEntry.deleted()), 60);
        }).thenApply(a -> null);
    }

    /**
     * The entries of a dictionary kind whose values are sip_registration_uri (both Peerline kinds are). A box
     * that holds the resource itself, as responsible peer or replica (in a federation of up to three boxes,
     * every box holds everything), answers from its storage at once: a lookup must not wait for a responsible
     * peer that has just died to time out. Otherwise the overlay is asked (Fetch).
     */
    private CompletableFuture<List<Registration>> lookup(byte[] rid, String name, long kind) {
        return onLoop(() -> {
            List<StorageBodies.StoredData> held = node.localValues(rid, kind);
            if (!held.isEmpty()) {
                return CompletableFuture.completedFuture(registrations(held));
            }
            return node.fetch(rid, name, List.of(new StorageBodies.Specifier(kind, 0,
                    StorageBodies.DataModel.DICTIONARY, List.of(), List.of()))).thenApply(f -> {
                        List<StorageBodies.StoredData> values = new ArrayList<>();
                        f.kinds().forEach(kd -> values.addAll(kd.values()));
                        return registrations(values);
                    });
        });
    }

    private static List<Registration> registrations(List<StorageBodies.StoredData> values) {
        List<Registration> out = new ArrayList<>();
        for (var sd : values) {
            if (!sd.value().exists()) {
                continue;
            }
            try {
                NodeId box = NodeId.of(sd.value().key(), 0);
                NodeId routed = SipRegistration.routedBox(sd.value().data());
                if (routed != null && !routed.equals(box)) {
                    continue; // a route to another box than the one that wrote it: not one Peerline writes
                }
                out.add(new Registration(box, routed != null ? null : SipRegistration.uriOf(sd.value().data())));
            } catch (DecodeException | IllegalArgumentException e) {
                // a value this box cannot read: not a registration it can use
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<List<Hop>> trace(String aor) {
        NodeId target = NodeId.of(SipRegistration.resourceId(aor), 0);
        return onLoop(() -> node.trace(target));
    }

    @Override
    public CompletableFuture<Status> status() {
        return onLoop(() -> {
            List<Link> links = new ArrayList<>();
            transport.links().forEach((peer, at) -> links.add(new Link(peer, at)));
            NodeId attached = node.attachedPeer();
            List<Route> routes = attached == null ? node.topology().routingTable()
                    : List.of(new Route("attached peer (this box is a client)", attached));
            return CompletableFuture.completedFuture(new Status(node.id(), address, overlayName,
                    node.topology().joined() || attached != null, node.uptimeSeconds(), routes, links,
                    node.storedResources(), node.topology().responsiblePpb(), node.stats().asMap()));
        });
    }

    @Override
    public CompletableFuture<List<HeldRecord>> records() {
        return onLoop(() -> {
            long now = node.scheduler().now();
            List<HeldRecord> out = new ArrayList<>();
            for (Node.Held h : node.held()) {
                StorageBodies.Value v = h.data().value();
                String key = switch (v.model()) {
                    case SINGLE -> "";
                    case ARRAY -> Long.toString(v.index());
                    case DICTIONARY -> HexFormat.of().formatHex(v.key());
                };
                String value;
                try {
                    value = h.kind() == SipRegistration.KIND || h.kind() == GlobalExtension.KIND
                            ? SipRegistration.describe(v.data())
                            : h.kind() == RelayOffers.KIND ? RelayOffers.describe(RelayOffers.offerOf(
                                    NodeId.of(v.key(), 0), v.data()))
                            : h.kind() == DnsEntries.KIND ? DnsEntries.describe(DnsEntries.entryOf(
                                    NodeId.of(v.key(), 0), v.data()))
                            : HexFormat.of().formatHex(v.data());
                } catch (DecodeException | IllegalArgumentException e) {
                    value = HexFormat.of().formatHex(v.data());
                }
                long expires = (h.data().storageTime() + h.data().lifetime() * 1000 - now) / 1000;
                out.add(new HeldRecord(HexFormat.of().formatHex(h.resource()), h.name() == null ? "" : h.name(),
                        h.kind(), key, value, h.data().storageTime(), Math.max(0, expires), h.responsible()));
            }
            out.sort(java.util.Comparator.comparing(HeldRecord::name).thenComparing(HeldRecord::resourceId)
                    .thenComparing(HeldRecord::key));
            return CompletableFuture.completedFuture(out);
        });
    }

    @Override
    public CompletableFuture<ProbeResult> probe(NodeId target) {
        return onLoop(() -> node.probe(target));
    }

    @Override
    public CompletableFuture<List<PeerAddress>> knownPeers() {
        return onLoop(() -> CompletableFuture.completedFuture(node.peerAddresses()));
    }

    @Override
    public Set<NodeId> members() {
        return members;
    }

    @Override
    public void onMembersChanged(Consumer<Set<NodeId>> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        loop.execute(() -> {
            node.close();
            transport.close();
        });
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        closeQuietly(capture);
    }

    private static void closeQuietly(LinkCapture c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // the capture ends where it could be written
            }
        }
    }
}
