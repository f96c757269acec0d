package org.peerline.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.security.OverlayCa;

/** The overlay as the gateway will use it: boxes publish their users, any box finds them, traces a lookup. */
@Timeout(120)
class OverlayPeerIT {
    private final List<OverlayPeer> boxes = new ArrayList<>();

    @AfterEach
    void stop() {
        boxes.forEach(OverlayPeer::close);
    }

    private OverlayPeer box(OverlayCa ca, String site, List<PeerAddress> bootstrap) throws Exception {
        OverlayPeer p = OverlayPeer.start("peer.test", ca.issue(site, List.of(site + ".example"), Duration.ofDays(1)),
                new PeerAddress("127.0.0.1", 0));
        boxes.add(p);
        p.join(bootstrap).get(20, TimeUnit.SECONDS);
        return p;
    }

    @Test
    void boxesPublishTheirUsersAndEveryBoxFindsThemHopByHop() throws Exception {
        OverlayCa ca = OverlayCa.generate("peer.test");
        OverlayPeer a = box(ca, "site-a", List.of());
        List<PeerAddress> boot = List.of(a.address());
        for (int i = 0; i < 7; i++) {
            box(ca, "site-" + (char) ('b' + i), boot);
        }
        OverlayPeer b = boxes.get(1);
        Thread.sleep(2000);

        a.publish("sip:alice@site-a.example", "sip:alice@192.0.2.1:5061;transport=tls", Duration.ofMinutes(10))
                .get(10, TimeUnit.SECONDS);
        b.publish("sip:bob@site-b.example", "sip:bob@192.0.2.2:5061;transport=tls", Duration.ofMinutes(10))
                .get(10, TimeUnit.SECONDS);
        for (OverlayPeer p : boxes) {
            List<Overlay.Registration> r = p.lookup("sip:alice@site-a.example").get(10, TimeUnit.SECONDS);
            assertEquals(List.of(new Overlay.Registration(a.nodeId(), "sip:alice@192.0.2.1:5061;transport=tls")), r);
            assertEquals(b.nodeId(), p.lookup("SIP:Bob@Site-B.example").get(10, TimeUnit.SECONDS).get(0).box(),
                    "the AOR's scheme and case do not matter");
        }
        assertTrue(a.lookup("sip:nobody@site-a.example").get(10, TimeUnit.SECONDS).isEmpty());

        ExecutionException e = assertThrows(ExecutionException.class, () -> b.publish("sip:mallory@site-a.example",
                "sip:mallory@evil", Duration.ofMinutes(10)).get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("does not name site-a.example"), e.getCause().getMessage());

        List<Overlay.Hop> path = boxes.get(5).trace("sip:alice@site-a.example").get(10, TimeUnit.SECONDS);
        assertFalse(path.isEmpty());
        // the last hop is the responsible peer: it holds alice's record
        assertTrue(boxes.stream().anyMatch(p -> p.nodeId().equals(path.get(path.size() - 1).peer())));
        assertTrue(boxes.get(5).members().size() >= 4, "neighbours and fingers: " + boxes.get(5).members());

        a.unpublish("sip:alice@site-a.example").get(10, TimeUnit.SECONDS);
        assertTrue(boxes.get(3).lookup("sip:alice@site-a.example").get(10, TimeUnit.SECONDS).isEmpty(),
                "unpublished");
    }
}
