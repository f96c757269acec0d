package org.peerline.overlay.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance check no one here wrote: every message the codec encodes, framed as on a RELOAD link,
 * goes through Wireshark's RELOAD dissector (tshark), which must decode each one as the message it is,
 * with no malformed field and no expert warning or error.
 */
@Timeout(120)
class WiresharkDecodesIT {
    /** RELOAD's IANA port; the dissector also finds RELOAD framing heuristically. */
    private static final int RELOAD_PORT = 6084;

    @TempDir
    Path dir;

    @Test
    void tsharkDecodesEveryMessageWithoutComplaint() throws Exception {
        requireTshark();
        List<ReloadMessage> all = Fixtures.all();
        Pcap pcap = new Pcap(40000, RELOAD_PORT);
        long seq = 1;
        for (ReloadMessage m : all) {
            boolean request = m.contents().messageCode().isRequest();
            pcap.send(request, FramedMessage.encode(new FramedMessage.Data(seq, m.encode())));
            pcap.send(!request, FramedMessage.encode(new FramedMessage.Ack(seq, 0)));
            seq++;
        }
        Path file = dir.resolve("reload.pcap");
        pcap.write(file);

        String decoded = tshark(file, "-d", "tcp.port==" + RELOAD_PORT + ",reload-framing", "-T", "fields",
                "-e", "reload.message.code", "-Y", "reload");
        List<String> codes = decoded.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(all.size(), codes.size(), "tshark decoded " + codes.size() + " RELOAD messages of "
                + all.size() + ":\n" + decoded);
        for (int i = 0; i < all.size(); i++) {
            int expected = all.get(i).contents().code();
            assertTrue(codes.get(i).contains(String.valueOf(expected)) || codes.get(i).contains(Integer.toHexString(expected)),
                    "message " + i + ": tshark saw code " + codes.get(i) + ", expected " + expected);
        }
        String complaints = tshark(file, "-d", "tcp.port==" + RELOAD_PORT + ",reload-framing", "-Y",
                "_ws.malformed || _ws.expert.severity >= 0x00600000", "-V");
        assertTrue(complaints.isBlank(), "tshark found malformed fields or expert warnings:\n" + complaints);
    }

    private static void requireTshark() {
        boolean present = new File("/usr/bin/tshark").canExecute();
        if (!present && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail("tshark is not installed (Debian package tshark) but PEERLINE_REQUIRE_TOOLS=1");
        }
        assumeTrue(present, "tshark is not installed (Debian package tshark); .ci/run installs it");
    }

    private String tshark(Path file, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(List.of(args));
        long n = System.nanoTime();
        Path out = dir.resolve("tshark-" + n + ".out");
        Path err = dir.resolve("tshark-" + n + ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("tshark did not finish within 60 s");
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "tshark failed:\n" + text + Files.readString(err, StandardCharsets.UTF_8));
        return text;
    }
}
