package org.peerline.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.peerline.overlay.node.Node;

/**
 * What a WAN outage and time do to the overlay, in virtual time: a ring cut in two becomes two rings that
 * merge again when the cut heals; a publication outlives its lifetime while its publisher refreshes it, and
 * disappears once its publisher is gone.
 */
class PartitionAndRefreshTest {
    @Test
    void aRingCutInTwoMergesAgainWhenThePartitionHeals() {
        // 20 seeds passed when this was written; three run here (each message names its seed, to replay it)
        for (long seed : new long[] {21, 22, 23}) {
            cut(seed);
        }
    }

    private void cut(long seed) {
        SimRing ring = new SimRing(seed).start(30);
        for (int i = 0; i < 60; i++) {
            assertNotNull(ring.await(ring.nodes.get(i % 30).publish(SimRing.resource(i), null, SimRing.KIND,
                    List.of(SimRing.value(i)), 3600), 30_000), "seed " + seed + ": store " + i);
        }
        assertEquals(30, ring.consistent(), "seed " + seed + ": the ring formed");

        // even nodes on one side, odd on the other: every neighbour link crosses the cut
        for (int i = 0; i < 30; i++) {
            ring.hosts.get(i).group(i % 2);
        }
        ring.run(120_000);
        for (int i = 0; i < 30; i++) {
            Node n = ring.nodes.get(i);
            for (var p : n.topology().successors()) {
                int j = ring.nodes.stream().map(Node::id).toList().indexOf(p);
                assertEquals(i % 2, j % 2, "seed " + seed + ": during the cut, node " + i + " has a successor on its own side");
            }
        }

        for (int i = 0; i < 30; i++) {
            ring.hosts.get(i).group(0);
        }
        ring.run(300_000);
        assertEquals(30, ring.consistent(), "seed " + seed + ": one ring again five minutes after the cut healed");
        int found = 0;
        for (int i = 0; i < 60; i++) {
            if (ring.finds(ring.nodes.get((i * 7) % 30), i)) {
                found++;
            }
        }
        assertEquals(60, found, "seed " + seed + ": every record is found from anywhere after the merge");
    }

    @Test
    void aPublicationLivesWhileItsPublisherRefreshesItAndNoLonger() {
        long seed = 5;
        SimRing ring = new SimRing(seed).start(12);
        Node publisher = ring.nodes.get(3);
        assertNotNull(ring.await(publisher.publish(SimRing.resource(1), null, SimRing.KIND, List.of(SimRing.value(1)), 120),
                30_000));
        assertNotNull(ring.await(publisher.store(SimRing.resource(2), SimRing.KIND, List.of(SimRing.value(2)), 120),
                30_000), "stored once, not kept");
        ring.run(600_000); // five lifetimes
        assertTrue(ring.finds(ring.nodes.get(8), 1), "seed " + seed + ": the kept publication is still there");
        assertFalse(ring.finds(ring.nodes.get(8), 2), "seed " + seed + ": a plain store expired");
        assertTrue(publisher.stats().refreshes >= 8, "refreshed every half lifetime: " + publisher.stats().refreshes);

        ring.hosts.get(3).crash();
        ring.run(300_000);
        assertFalse(ring.finds(ring.nodes.get(8), 1), "seed " + seed + ": gone a lifetime after its publisher died");
    }
}
