package org.peerline.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.message.MessageCode;
import org.peerline.overlay.security.OverlayCa;

/**
 * Live traffic, not fixtures: six boxes over loopback TLS, each writing its decrypted links to a pcap
 * ({@link org.peerline.overlay.link.LinkCapture}), join, store, fetch, trace, probe, are refused, leave and
 * crash. Wireshark's RELOAD dissector must decode every capture with no malformed field and no expert
 * warning, and find every kind of message the node sends in normal work.
 */
@Timeout(180)
class LiveCaptureIT {
    @TempDir
    Path dir;
    private final List<OverlayPeer> boxes = new ArrayList<>();

    @AfterEach
    void stop() {
        boxes.forEach(OverlayPeer::close);
    }

    @Test
    void wiresharkDecodesEveryLiveLinkWithoutComplaint() throws Exception {
        Tshark.require();
        OverlayCa ca = OverlayCa.generate("capture.test");
        List<Path> captures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String site = "site" + i;
            Path pcap = dir.resolve(site + ".pcap");
            captures.add(pcap);
            OverlayPeer p = OverlayPeer.start("capture.test", ca.issue(site, List.of(site + ".example"), Duration.ofDays(1)),
                    new PeerAddress("127.0.0.1", 0), pcap);
            boxes.add(p);
            p.join(i == 0 ? List.of() : List.of(boxes.get(0).address())).get(20, TimeUnit.SECONDS);
        }
        // reactive Updates usually tell every box of the others within seconds; the bound is one periodic Update
        // round (60 s, randomised), which a loaded machine (CI, once) needed
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (boxes.stream().anyMatch(b -> b.members().size() < 6)) {
            assertTrue(System.nanoTime() < deadline, "six boxes did not see each other");
            Thread.sleep(100);
        }

        Set<Integer> ports = new TreeSet<>();
        boxes.forEach(b -> ports.add(b.address().port()));

        Random rnd = new Random(7);
        for (int i = 0; i < 30; i++) {
            boxes.get(i % 6).publish("sip:user" + i + "@site" + i % 6 + ".example", "sip:user" + i + "@127.0.0.1:5061",
                    Duration.ofMinutes(10)).get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 30; i++) {
            assertEquals(1, boxes.get(rnd.nextInt(6)).lookup("sip:user" + i + "@site" + i % 6 + ".example")
                    .get(10, TimeUnit.SECONDS).size(), "user" + i + " found");
        }
        int refused = 0;
        for (int i = 0; i < 6; i++) { // a box writing another site's users is refused by the responsible peer
            try {
                boxes.get(i).publish("sip:mallory" + i + "@site" + (i + 1) % 6 + ".example", "sip:x@evil",
                        Duration.ofMinutes(1)).get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                refused++;
            }
        }
        assertEquals(6, refused);
        assertFalse(boxes.get(2).trace("sip:user7@site1.example").get(10, TimeUnit.SECONDS).isEmpty());
        assertEquals(boxes.get(3).nodeId(), boxes.get(0).probe(boxes.get(3).nodeId()).get(10, TimeUnit.SECONDS).node());

        boxes.get(5).leave().get(5, TimeUnit.SECONDS);
        Thread.sleep(500);
        boxes.remove(4).close(); // no Leave: its links just close
        Thread.sleep(1500);
        boxes.forEach(OverlayPeer::close);
        boxes.clear();

        Set<Integer> seen = new TreeSet<>();
        for (Path pcap : captures) {
            assertTrue(Files.size(pcap) > 24, pcap + " holds packets");
            List<String> args = new ArrayList<>(Tshark.reloadOn(ports));
            args.addAll(List.of("-Y", "reload", "-T", "fields", "-e", "reload.message.code"));
            for (String line : Tshark.run(dir, pcap, args).lines().toList()) {
                for (String code : line.split(",")) {
                    if (!code.isBlank()) {
                        seen.add(Integer.decode(code.trim()));
                    }
                }
            }
            List<String> check = new ArrayList<>(Tshark.reloadOn(ports));
            check.addAll(List.of("-Y", Tshark.COMPLAINTS, "-V"));
            String complaints = Tshark.run(dir, pcap, check);
            assertTrue(complaints.isBlank(), pcap.getFileName() + ": tshark found malformed fields or expert warnings:\n"
                    + complaints.substring(0, Math.min(complaints.length(), 20_000)));
        }
        List<MessageCode> expected = List.of(MessageCode.PROBE_REQ, MessageCode.PROBE_ANS, MessageCode.ATTACH_REQ,
                MessageCode.ATTACH_ANS, MessageCode.STORE_REQ, MessageCode.STORE_ANS, MessageCode.FETCH_REQ,
                MessageCode.FETCH_ANS, MessageCode.JOIN_REQ, MessageCode.JOIN_ANS, MessageCode.LEAVE_REQ,
                MessageCode.LEAVE_ANS, MessageCode.UPDATE_REQ, MessageCode.UPDATE_ANS, MessageCode.ROUTE_QUERY_REQ,
                MessageCode.ROUTE_QUERY_ANS, MessageCode.ERROR);
        for (MessageCode c : expected) {
            assertTrue(seen.contains(c.code), "tshark saw no " + c + " in the live captures; it saw " + seen);
        }
    }
}
