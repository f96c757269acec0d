package org.peerline.overlay.topology;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.node.Scheduler;

/**
 * An overlay topology plugin (RFC 6940 §10 defines CHORD-RELOAD; a Kademlia plugin can follow): who is
 * responsible for an id, where a message goes next, which peers to keep links with, and how the routing
 * state is maintained. Messages, storage and links stay in the node; the topology only sees Node-IDs and
 * its own message bodies, and asks its {@link Host} to send them.
 *
 * <p>All methods run on the node's thread.
 */
public interface Topology {
    NodeId self();

    /**
     * Starts maintenance; {@code first} when this node starts a new overlay, otherwise it is joining. Called
     * again with {@code first} after joins that failed: the node gives up joining and starts an overlay.
     */
    void start(Host host, boolean first);

    /** True once this node is a member of the ring (the first node at once; a joiner after JoinAns). */
    boolean joined();

    /**
     * True if this node is responsible for {@code target}. {@code from} is the neighbour the message came
     * from (null for a local request): a neighbour on the predecessor side that hands over an id between
     * itself and this node knows something this node may not yet (its predecessor died).
     */
    boolean isResponsible(NodeId target, NodeId from);

    /** The linked peer to send a message for {@code target} to next, or {@link #self()} when responsible. */
    NodeId nextHop(NodeId target, NodeId from);

    /** The peers that keep replicas of what this node is responsible for, nearest first (at most {@code count}). */
    List<NodeId> replicaPeers(int count);

    /**
     * As {@link #nextHop}, but not through {@code avoid}: a retransmission tries another path in case the
     * first one lost the request beyond its first hop. Null if there is no other way.
     */
    NodeId alternateHop(NodeId target, NodeId avoid);

    /** Every peer this node routes through (neighbours and fingers). */
    Set<NodeId> routingPeers();

    /** Neighbours only: predecessors then successors, nearest first. */
    List<NodeId> predecessors();

    List<NodeId> successors();

    /**
     * A peer lost to a link failure is reachable again (the node probes lost peers for a while): a partition
     * may have healed, and the peer may be on a ring of its own now. Take it back into the routing state if it
     * belongs there, so that the two rings merge.
     */
    void reconnected(NodeId peer);

    /** The routing table for diagnostics: every entry with its role ("predecessor 1", "finger 96", ...). */
    List<Overlay.Route> routingTable();

    /** The share of the id space this node is responsible for, in parts per billion (Probe responsible_set). */
    long responsiblePpb();

    /** A link to {@code peer} is up (it may now enter the routing state if it belongs there). */
    void linkUp(NodeId peer);

    /** The link to {@code peer} failed: remove it and repair. */
    void linkDown(NodeId peer);

    /** A peer asks to join with this node as its admitting peer; returns the JoinAns overlay-specific data. */
    byte[] onJoin(NodeId joiner);

    /** The joining node got its JoinAns from {@code admittingPeer}: it is now a member. */
    void onJoined(NodeId admittingPeer);

    /** An UpdateReq body from {@code from}. */
    void onUpdate(NodeId from, byte[] body) throws DecodeException;

    /** A LeaveReq from {@code leaving} with its overlay-specific data. */
    void onLeave(NodeId leaving, byte[] overlaySpecific) throws DecodeException;

    /** A RouteQuery from {@code from}: the next hop for {@code target}; sends a full Update when asked. */
    NodeId onRouteQuery(NodeId from, NodeId target, boolean sendUpdate);

    /** Leaves gracefully: tells the neighbours and stops maintenance. */
    void leave();

    /** Stops maintenance without telling anyone (shutdown after leave, or a crash in the simulator). */
    void stop();

    /** What the topology needs from its node. */
    interface Host {
        Scheduler scheduler();

        Random random();

        long uptimeSeconds();

        /** True if a link to {@code peer} is up. */
        boolean linked(NodeId peer);

        /** Sends an UpdateReq with {@code body} to the linked peer {@code to}. */
        void sendUpdate(NodeId to, byte[] body);

        /** Sends a LeaveReq with {@code overlaySpecific} to the linked peer {@code to}. */
        void sendLeave(NodeId to, byte[] overlaySpecific);

        /** Sends a RouteQuery for {@code target} to the linked peer {@code to}. */
        void sendRouteQuery(NodeId to, NodeId target, boolean sendUpdate);

        /**
         * Attaches to the node responsible for {@code target} (routed Attach, §6.5.1) and opens a link to it;
         * {@code linked} gets that node's id once the link is up (not called on failure). {@code via}, if not
         * null, is a linked peer to hand the Attach to first: the peer whose Update named {@code target}, which
         * has a link to it, while this node's own routing may not reach it yet.
         */
        void attach(NodeId target, NodeId via, Consumer<NodeId> linked);

        /** Closes the link to {@code peer} (it left the routing state). */
        void unlink(NodeId peer);

        /** The neighbour set changed: storage rebalances, membership listeners hear of it. */
        void neighboursChanged();

        /** Every peer is gone: this node is no longer part of the ring and must join again. */
        void isolated();
    }
}
