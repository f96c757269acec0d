package org.peerline.gateway.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;

/** The documented cost of a relay box: rtt + 200 x load, lowest wins, and who is never a candidate. */
class RelayOfferingTest {
    private static final NodeId SELF = NodeId.parse("10000000000000000000000000000000");
    private static final NodeId TARGET = NodeId.parse("20000000000000000000000000000000");
    private static final NodeId NEAR = NodeId.parse("30000000000000000000000000000000");
    private static final NodeId FAR = NodeId.parse("40000000000000000000000000000000");

    private static Overlay.RelayOffer offer(NodeId box, boolean reachable, int capacity, int inUse) {
        return new Overlay.RelayOffer(box, "sip:" + box + ".invalid:5061;transport=tls", reachable, capacity, inUse, "", "");
    }

    @Test
    void aNearIdleBoxWinsUntilItIsTenPercentBusierThanOneTwiceAsFar() {
        var near = RelayOffering.rate(offer(NEAR, true, 500, 0), 20, SELF, TARGET);
        var far = RelayOffering.rate(offer(FAR, true, 500, 0), 40, SELF, TARGET);
        assertEquals(20.0, near.cost());
        assertEquals(NEAR, RelayOffering.pick(List.of(far, near)).offer().box());
        var busyNear = RelayOffering.rate(offer(NEAR, true, 500, 60), 20, SELF, TARGET); // 12 % busy: 20 + 24
        assertEquals(44.0, busyNear.cost(), 1e-9);
        assertEquals(FAR, RelayOffering.pick(List.of(busyNear, far)).offer().box());
    }

    @Test
    void theCallsOwnBoxesUnreachableFullAndSilentBoxesAreNotCandidates() {
        assertEquals("this box", RelayOffering.rate(offer(SELF, true, 500, 0), 1, SELF, TARGET).excluded());
        assertEquals("the other box of the call",
                RelayOffering.rate(offer(TARGET, true, 500, 0), 1, SELF, TARGET).excluded());
        assertEquals("cannot be connected to", RelayOffering.rate(offer(NEAR, false, 500, 0), 1, SELF, TARGET).excluded());
        assertEquals("fewer than 4 free call legs",
                RelayOffering.rate(offer(NEAR, true, 500, 497), 1, SELF, TARGET).excluded());
        assertEquals("did not answer a Probe", RelayOffering.rate(offer(NEAR, true, 500, 0), -1, SELF, TARGET).excluded());
        assertNull(RelayOffering.pick(List.of(RelayOffering.rate(offer(NEAR, false, 500, 0), 5, SELF, TARGET))));
    }

    @Test
    void equalCostsGoToTheSmallerNodeId() {
        var a = RelayOffering.rate(offer(FAR, true, 100, 0), 10, SELF, TARGET);
        var b = RelayOffering.rate(offer(NEAR, true, 100, 0), 10, SELF, TARGET);
        assertEquals(NEAR, RelayOffering.pick(List.of(a, b)).offer().box());
    }
}
