package org.peerline.overlay.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A Peerline box's membership in the overlay, as the gateway uses it: asynchronous, thread-safe, no netty
 * types. Create one with {@code org.peerline.overlay.OverlayPeer.start}.
 */
public interface Overlay extends AutoCloseable {
    /** This box's Node-ID (from its certificate). */
    NodeId nodeId();

    /** Where peers reach this box's overlay links. */
    PeerAddress address();

    /** Joins through the first bootstrap peer that answers, or starts a new overlay with none. */
    CompletableFuture<Void> join(List<PeerAddress> bootstrap);

    /** Leaves gracefully (neighbours are told) and closes every link. */
    CompletableFuture<Void> leave();

    /**
     * Publishes that this box serves {@code aor} and can be reached at {@code uri} (RFC 7904 SIP-REGISTRATION,
     * keyed by this box's Node-ID), and keeps it published: the box stores it again each time half of
     * {@code lifetime} has passed, until {@link #unpublish} or {@link #close}. If the box dies, the overlay
     * drops the record once {@code lifetime} has passed. Fails if this box's certificate does not name the
     * AOR's domain (then nothing is kept). {@code uri} null: the box cannot be reached directly (a NAT without
     * port forwarding) and publishes a {@code sip_registration_route} to itself: callers reach the AOR by an
     * {@link #appAttach} to this box.
     */
    CompletableFuture<Void> publish(String aor, String uri, Duration lifetime);

    /**
     * RFC 6940 AppAttach: asks box {@code box}, through the overlay, for a connection for {@code application}
     * (5061: SIP over TLS), offering {@code candidates} (where this box accepts it). Completes with the answer:
     * either the box connected to one of the candidates itself, or where this box should connect to it.
     */
    CompletableFuture<AppAttachResult> appAttach(NodeId box, int application, List<PeerAddress> candidates);

    /** Who answers other boxes' AppAttach requests; without one they are refused. */
    void onAppAttach(AppAttachHandler handler);

    /**
     * Advertises this box's media relay to the federation (kind PEERLINE-RELAY), replacing its previous offer;
     * kept (stored again as half of {@code lifetime} passes) until the box publishes another or dies.
     */
    CompletableFuture<Void> offerRelay(RelayOffer offer, Duration lifetime);

    /** Every box's current relay offer (unreadable ones dropped). */
    CompletableFuture<List<RelayOffer>> relayOffers();

    /** Keeps this box's entry in DNS zone {@code zone}'s dictionary, refreshed until {@link #withdrawDns}. */
    CompletableFuture<Void> announceDns(String zone, DnsEntry entry, Duration lifetime);

    /** Stops refreshing this box's entry in {@code zone} and deletes it: the box leaves the zone at once. */
    CompletableFuture<Void> withdrawDns(String zone);

    /** The unexpired entries of {@code zone}'s dictionary: the boxes alive now. */
    CompletableFuture<List<DnsEntry>> dnsEntries(String zone);

    /**
     * True if this box is the peer responsible for {@code zone}'s dictionary (never a client): the one box that
     * writes the zone to DNS.
     */
    CompletableFuture<Boolean> writesDns(String zone);

    /** Withdraws this box's registration of {@code aor} and stops refreshing it. */
    CompletableFuture<Void> unpublish(String aor);

    /** The boxes that serve {@code aor} and where (empty if none); records failing access control are dropped. */
    CompletableFuture<List<Registration>> lookup(String aor);

    /**
     * Claims the federation-wide {@code extension} (digits a phone dials, e.g. {@code 2001}) for {@code aor}, a
     * user of one of this box's domains; kept fresh like {@link #publish} until withdrawn.
     */
    CompletableFuture<Void> publishExtension(String extension, String aor, Duration lifetime);

    /** Withdraws this box's claim on {@code extension}. */
    CompletableFuture<Void> unpublishExtension(String extension);

    /**
     * Who claims {@code extension}: one entry per claiming box, its {@code uri} the AOR the extension reaches.
     * More than one distinct AOR is a conflict between sites.
     */
    CompletableFuture<List<Registration>> lookupExtension(String extension);

    /** The path a lookup of {@code aor} takes, hop by hop, the responsible peer last. */
    CompletableFuture<List<Hop>> trace(String aor);

    /**
     * Where the peers this box routes through accept links, neighbours first: what a box remembers so that a
     * restart does not depend on its bootstrap boxes being alive.
     */
    CompletableFuture<List<PeerAddress>> knownPeers();

    /** The peers this box knows alive right now (its neighbours and fingers, itself included). */
    Set<NodeId> members();

    /** Called (on an overlay thread) with the new member set whenever it changes. */
    void onMembersChanged(Consumer<Set<NodeId>> listener);

    /** This box as an operator sees it: identity, uptime, routing table, links, what it stores, counters. */
    CompletableFuture<Status> status();

    /** Every value this box holds, as the responsible peer or as a replica. */
    CompletableFuture<List<HeldRecord>> records();

    /**
     * Asks another box, through the overlay, for its uptime, its share of the ring and how many resources it
     * stores (RELOAD Probe, RFC 6940 §6.4.2.5). Fails if no box with that Node-ID answers.
     */
    CompletableFuture<ProbeResult> probe(NodeId node);

    @Override
    void close();

    /**
     * A box serving an AOR, and the URI it gave; {@code uri} null when the box is reached through the overlay
     * ({@link #appAttach}), as a box behind a NAT without port forwarding is.
     */
    record Registration(NodeId box, String uri) {
    }

    /**
     * An AppAttach's answer: {@code connected}, the answering box opened the connection to one of the offered
     * candidates itself; else {@code candidates} say where to connect to it.
     */
    record AppAttachResult(boolean connected, List<PeerAddress> candidates) {
        public AppAttachResult {
            candidates = List.copyOf(candidates);
        }
    }

    /** Answers an AppAttach from box {@code origin} for {@code application}, whose connection is offered at {@code candidates}. */
    interface AppAttachHandler {
        CompletableFuture<AppAttachResult> answer(NodeId origin, int application, List<PeerAddress> candidates);
    }

    /**
     * A box's media relay as it advertises it: whether other boxes can connect to the box, how many call legs the
     * relay holds and how many are busy, where the box takes SIP, where it answers STUN ({@code host:port}, or
     * empty when it runs no STUN server), and the name of its site (for people; empty if unknown).
     */
    record RelayOffer(NodeId box, String sipUri, boolean reachable, int capacity, int inUse, String stun,
                      String site) {
        public RelayOffer {
            stun = stun == null ? "" : stun;
            site = site == null ? "" : site;
        }
    }

    /**
     * A box as a DNS zone should show it (see the dns-publisher module): its site name, the addresses outside
     * clients reach it at, the SIP domains it serves, its SIP ports (UDP, TCP, TLS; 0 for none), its overlay port
     * (0 when other boxes cannot connect to it), and its SRV priority and weight.
     */
    record DnsEntry(NodeId box, String site, List<String> addresses, List<String> domains, int sipUdpPort,
                    int sipTcpPort, int sipsPort, int overlayPort, int priority, int weight) {
        public DnsEntry {
            addresses = List.copyOf(addresses);
            domains = List.copyOf(domains);
        }
    }

    /** One step of a traced lookup. */
    record Hop(NodeId peer, long rttMillis) {
    }

    /**
     * A box's state for diagnostics. {@code responsiblePpb} is the share of the ring it answers for, in parts
     * per billion; {@code counters} are message and link counters since start.
     */
    record Status(NodeId nodeId, PeerAddress address, String overlay, boolean joined, long uptimeSeconds,
                  List<Route> routes, List<Link> links, int resources, long responsiblePpb,
                  Map<String, Long> counters) {
    }

    /** One entry of the routing table: its role in the topology (e.g. "successor 1", "finger 96") and the peer. */
    record Route(String role, NodeId peer) {
    }

    /** An open link to a peer, and the address the link runs to. */
    record Link(NodeId peer, PeerAddress address) {
    }

    /**
     * A stored value: the resource (its Resource-ID in hex, and its name, e.g. the AOR, where known), the kind,
     * the dictionary key or array index (hex or decimal, empty for single values), the value as text (a
     * registration's URI; other kinds in hex), when its signer stored it, seconds until it expires, and whether
     * this box is the responsible peer (or a replica).
     */
    record HeldRecord(String resourceId, String name, long kind, String key, String value, long storedAtMillis,
                      long expiresInSeconds, boolean responsible) {
    }

    /** What a probed box said of itself, and how far it was. */
    record ProbeResult(NodeId node, int hops, long rttMillis, long uptimeSeconds, long responsiblePpb,
                       long resources) {
    }
}
