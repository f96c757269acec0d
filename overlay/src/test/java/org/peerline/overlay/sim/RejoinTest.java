package org.peerline.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.node.Node;

/**
 * A peer cut off from every other peer keeps trying to join again, through the peers it learned as well as its
 * bootstrap, and a peer that is not in a ring admits nobody (virtual time, real node code).
 */
class RejoinTest {
    /** The bootstrap box dies and comes back later (a new disk, a new Node-ID): the other box rejoins through it. */
    @Test
    void aLonePeerRejoinsWhenItsBootstrapBoxComesBack() {
        SimRing ring = new SimRing(21).start(2);
        Node second = ring.nodes.get(1);
        PeerAddress first = ring.hosts.get(0).localAddress();
        ring.hosts.get(0).crash();
        ring.run(120_000);
        assertFalse(second.topology().joined(), "alone, the second box is in no ring");

        ring.run(600_000); // ten minutes without its bootstrap box: it must not have given up
        Node back = ring.addFirstAt(first);
        ring.run(120_000);
        assertTrue(second.topology().joined(), "it joined the new ring through its bootstrap address");
        assertEquals(2, ring.consistent(), "a ring of two, each knowing the other");
        assertTrue(back.topology().successors().contains(second.id()));
    }

    /**
     * A box cut off by the network while its bootstrap box dies: when the network heals, it joins again through a
     * peer it learned, not only through its (dead) bootstrap.
     */
    @Test
    void aCutOffPeerRejoinsThroughAPeerItLearned() {
        SimRing ring = new SimRing(22).start(5);
        Node cut = ring.nodes.get(2);
        ring.hosts.get(2).group(1); // unreachable from everyone
        ring.run(120_000);
        assertFalse(cut.topology().joined(), "cut off, it is in no ring");
        ring.hosts.get(0).crash(); // its bootstrap box dies meanwhile
        ring.run(120_000);
        ring.hosts.get(2).group(0); // the network heals
        ring.run(180_000);
        assertTrue(cut.topology().joined(), "it rejoined through a peer it had learned");
        assertEquals(4, ring.consistent(), "one ring of the four live boxes");
    }
}
