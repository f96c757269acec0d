package org.peerline.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.message.LinkBodies;
import org.peerline.overlay.node.Node;

/**
 * AppAttach (RFC 6940 §6.5.2) routed through a ring in virtual time: the request reaches the node with the
 * target's Node-ID, its application answers, and the answer comes back; a node that does not exist, or whose
 * application refuses, fails the request.
 */
class AppAttachTest {
    @Test
    void anAppAttachReachesItsNodeAndBringsBackTheApplicationsAnswer() {
        SimRing ring = new SimRing(5).start(12);
        var target = ring.nodes.get(7);
        NodeId[] origin = new NodeId[1];
        target.onAppAttach((from, req) -> {
            origin[0] = from;
            return CompletableFuture.completedFuture(new LinkBodies.AppAttach(req.ufrag(), req.password(),
                    req.application(), "active", List.of(LinkBodies.Candidate.host(new PeerAddress("192.0.2.7", 5061)))));
        });
        var caller = ring.nodes.get(2);
        LinkBodies.AppAttach ans = ring.await(caller.appAttach(target.id(), 5061,
                List.of(LinkBodies.Candidate.host(new PeerAddress("192.0.2.2", 5061)))), 30_000);
        assertNotNull(ans, "the AppAttach was answered");
        assertEquals("active", ans.role());
        assertEquals(5061, ans.application());
        assertEquals(new PeerAddress("192.0.2.7", 5061), ans.candidates().get(0).address());
        assertEquals(caller.id(), origin[0], "the application learns which node asks");

        byte[] raw = target.id().toBytes();
        raw[15] ^= 1; // a Node-ID next to the target's: no such node, the target itself is responsible
        assertNull(ring.await(caller.appAttach(NodeId.of(raw, 0), 5061, List.of()), 30_000),
                "an AppAttach to a node that is not in the overlay fails");
        assertNull(ring.await(ring.nodes.get(3).appAttach(ring.nodes.get(9).id(), 5061, List.of()), 30_000),
                "a node without an application for AppAttach refuses it");
    }

    /**
     * A client (a box nobody can connect to) takes no place in the ring: it links to the peer responsible for its
     * Node-ID only, which delivers what is routed to it; it stores and fetches through that peer.
     */
    @Test
    void aClientIsReachedThroughThePeerResponsibleForItsNodeId() {
        SimRing ring = new SimRing(9).start(10);
        var client = ring.addClient();
        assertNotNull(client, "the client attached");
        assertNotNull(client.attachedPeer(), "it has an attached peer");
        ring.run(120_000);
        for (var n : ring.nodes) {
            assertEquals(false, n.topology().routingPeers().contains(client.id()), "peer " + n.id()
                    + " took the client into its routing table");
        }
        assertEquals(10, ring.consistent(), "the ring is the same ring of ten peers");
        client.onAppAttach((from, req) -> CompletableFuture.completedFuture(new LinkBodies.AppAttach(req.ufrag(),
                req.password(), req.application(), "active", List.of())));
        LinkBodies.AppAttach ans = ring.await(ring.nodes.get(4).appAttach(client.id(), 5061, List.of()), 30_000);
        assertNotNull(ans, "an AppAttach routed to the client's Node-ID reaches it");
        assertEquals("active", ans.role());
        assertNotNull(ring.await(client.publish(SimRing.resource(1), null, SimRing.KIND, List.of(SimRing.value(1)),
                3600), 30_000), "the client stores through its peer");
        assertEquals(true, ring.finds(ring.nodes.get(7), 1), "a peer finds what the client stored");
        assertEquals(true, ring.finds(client, 1), "and so does the client");

        // a peer joins right after the client's Node-ID and becomes responsible for it; within a recheck the
        // client attaches there, and what is routed to it still arrives
        var before = client.attachedPeer();
        byte[] next = client.id().toBytes();
        next[15]++; // (a carry is as good as random here: the seed's id does not end in ff)
        var newcomer = ring.addPeer(NodeId.of(next, 0));
        ring.addPeers(29);
        ring.run(Node.CLIENT_RECHECK_MILLIS * 3);
        assertEquals(40, ring.consistent(), "the grown ring settled");
        NodeId responsible = null;
        for (var n : ring.nodes) {
            if (n.topology().isResponsible(client.id(), null)) {
                responsible = n.id();
            }
        }
        assertEquals(newcomer.id(), responsible, "the newcomer took over the client's Node-ID from " + before);
        assertEquals(responsible, client.attachedPeer(), "the client follows the peer responsible for it (it was "
                + before + ")");
        assertNotNull(ring.await(ring.nodes.get(33).appAttach(client.id(), 5061, List.of()), 30_000),
                "an AppAttach still reaches the client");

        // its peer crashes: the client attaches to the one now responsible, and is reached again
        ring.hosts.get(ring.nodes.indexOf(newcomer)).crash();
        ring.run(120_000); // the ring notices the crash, the client attaches again, a recheck finds the new peer
        assertTrue(client.attachedPeer() != null && !client.attachedPeer().equals(newcomer.id()),
                "the client attached elsewhere: " + client.attachedPeer());
        assertNotNull(ring.await(ring.nodes.get(34).appAttach(client.id(), 5061, List.of()), 30_000),
                "an AppAttach reaches the client after its peer crashed");
    }
}
