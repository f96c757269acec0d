package org.peerline.overlay.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.overlay.Tshark;
import org.peerline.overlay.link.LinkCapture;

/**
 * The conformance check no one here wrote: every message the codec encodes, framed as on a RELOAD link,
 * goes through Wireshark's RELOAD dissector (tshark), which must decode each one as the message it is,
 * with no malformed field and no expert warning or error. ({@code LiveCaptureIT} does the same for what
 * running nodes send.)
 */
@Timeout(120)
class WiresharkDecodesIT {
    /** RELOAD's IANA port. */
    private static final int RELOAD_PORT = 6084;

    @TempDir
    Path dir;

    @Test
    void tsharkDecodesEveryMessageWithoutComplaint() throws Exception {
        Tshark.require();
        List<ReloadMessage> all = Fixtures.all();
        Path file = dir.resolve("reload.pcap");
        Object link = new Object();
        try (LinkCapture pcap = LinkCapture.open(file)) {
            pcap.opened(link, new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.2", RELOAD_PORT));
            long seq = 1;
            for (ReloadMessage m : all) {
                boolean request = m.contents().messageCode().isRequest();
                byte[] data = FramedMessage.encode(new FramedMessage.Data(seq, m.encode()));
                byte[] ack = FramedMessage.encode(new FramedMessage.Ack(seq, 0));
                pcap.bytes(link, request, data, 0, data.length);
                pcap.bytes(link, !request, ack, 0, ack.length);
                seq++;
            }
            pcap.closed(link);
        }

        List<String> args = new ArrayList<>(Tshark.reloadOn(List.of(RELOAD_PORT)));
        args.addAll(List.of("-T", "fields", "-e", "reload.message.code", "-Y", "reload"));
        String decoded = Tshark.run(dir, file, args);
        List<String> codes = decoded.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(all.size(), codes.size(), "tshark decoded " + codes.size() + " RELOAD messages of "
                + all.size() + ":\n" + decoded);
        for (int i = 0; i < all.size(); i++) {
            int expected = all.get(i).contents().code();
            assertTrue(codes.get(i).contains(String.valueOf(expected)) || codes.get(i).contains(Integer.toHexString(expected)),
                    "message " + i + ": tshark saw code " + codes.get(i) + ", expected " + expected);
        }
        List<String> check = new ArrayList<>(Tshark.reloadOn(List.of(RELOAD_PORT)));
        check.addAll(List.of("-Y", Tshark.COMPLAINTS, "-V"));
        String complaints = Tshark.run(dir, file, check);
        assertTrue(complaints.isBlank(), "tshark found malformed fields or expert warnings:\n" + complaints);
    }
}
