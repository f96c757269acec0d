package org.peerline.overlay.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.chord.ChordTopology;
import org.peerline.overlay.node.AccessControl;
import org.peerline.overlay.node.Node;
import org.peerline.overlay.message.StorageBodies;

/** A small ring of real nodes on the simulated network, for tests that steer it step by step in virtual time. */
final class SimRing {
    static final long KIND = Simulation.BENCH_KIND;

    final SimNetwork net;
    final List<Node> nodes = new ArrayList<>();
    final List<SimNetwork.Host> hosts = new ArrayList<>();
    private final Map<NodeId, NodeId> identities = new HashMap<>();
    private final Random rng;

    SimRing(long seed) {
        this.rng = new Random(seed);
        this.net = new SimNetwork(new Random(seed * 31 + 7));
    }

    /** Starts {@code n} nodes, each joining through the first, and lets them settle for a virtual minute. */
    SimRing start(int n) {
        addPeers(n);
        run(60_000);
        return this;
    }

    /** Starts {@code n} more peers, each joining through the first node. */
    void addPeers(int n) {
        for (int k = 0; k < n; k++) {
            byte[] raw = new byte[NodeId.BYTES];
            rng.nextBytes(raw);
            addPeer(NodeId.of(raw, 0));
        }
    }

    /** Starts a peer with Node-ID {@code id}, joining through the first node. */
    Node addPeer(NodeId id) {
        int i = nodes.size();
        SimNetwork.Host host = net.host(new PeerAddress("10.0." + i / 250 + "." + (i % 250 + 1), 6084), id,
                5 + rng.nextDouble() * 20);
        Node node = newNode(id, host);
        nodes.add(node);
        hosts.add(host);
        await(node.join(i == 0 ? List.of() : List.of(hosts.get(0).localAddress())), 30_000);
        return node;
    }

    /**
     * Adds a client (RFC 6940 §3.2.1) that joins through the first node; it is not put in {@link #nodes} (which
     * are the ring's peers). Null if it did not attach.
     */
    Node addClient() {
        byte[] raw = new byte[NodeId.BYTES];
        rng.nextBytes(raw);
        NodeId id = NodeId.of(raw, 0);
        SimNetwork.Host host = net.host(new PeerAddress("10.9.0.1", 6084), id, 10);
        Node node = newNode(id, host);
        node.asClient();
        return await(node.join(List.of(hosts.get(0).localAddress())), 30_000) == null && !node.isClient() ? null : node;
    }

    /** A node of this ring's settings on {@code host}, listening there. */
    private Node newNode(NodeId id, SimNetwork.Host host) {
        Node node = new Node(id, new Node.Settings("sim.test", 2, 3000, 3,
                kind -> kind == KIND ? StorageBodies.DataModel.SINGLE : null, AccessControl.ANY_SIGNER), host, host,
                new SimSecurity(id, identities), new ChordTopology(id, ChordTopology.Settings.defaults()),
                new Random(rng.nextLong()));
        host.listener(node);
        return node;
    }

    void run(long millis) {
        net.runUntil(net.now() + millis);
    }

    /** Runs the network until {@code f} completes (or {@code maxMillis} pass); its value, or null if it failed. */
    <T> T await(CompletableFuture<T> f, long maxMillis) {
        net.runUntil(net.now() + maxMillis, f::isDone);
        return f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
    }

    static byte[] resource(int i) {
        return Simulation.resourceId("sip:user" + i + "@sim.test");
    }

    static StorageBodies.Value value(int i) {
        return StorageBodies.Value.single(("value " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** True if {@code from} fetches record {@code i} with its value. */
    boolean finds(Node from, int i) {
        Node.Fetched f = await(from.fetch(resource(i), List.of(new StorageBodies.Specifier(KIND, 0,
                StorageBodies.DataModel.SINGLE, List.of(), List.of()))), 30_000);
        return f != null && f.kinds().stream().anyMatch(kd -> kd.values().stream()
                .anyMatch(sd -> java.util.Arrays.equals(sd.value().data(), value(i).data())));
    }

    /** How many live nodes know their true successor and predecessor. */
    int consistent() {
        List<Node> live = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (hosts.get(i).alive()) {
                live.add(nodes.get(i));
            }
        }
        List<NodeId> ids = live.stream().map(Node::id).sorted().toList();
        int good = 0;
        for (Node n : live) {
            int i = ids.indexOf(n.id());
            var t = n.topology();
            if (!t.successors().isEmpty() && t.successors().get(0).equals(ids.get((i + 1) % ids.size()))
                    && !t.predecessors().isEmpty() && t.predecessors().get(0).equals(ids.get((i - 1 + ids.size()) % ids.size()))) {
                good++;
            }
        }
        return good;
    }
}
