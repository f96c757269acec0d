package org.peerline.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ice4j.message.Message;
import org.ice4j.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wireshark's STUN dissector judges the relay's ICE messages: a nominating check, its answer, a consent check
 * (RFC 7675: a check that does not nominate) and a STUN server's answer, written to a capture file as UDP datagrams, decode without complaint,
 * with their attributes read back and their FINGERPRINTs found good.
 */
class WiresharkStunIT {
    @TempDir
    Path dir;

    @Test
    void theRelaysStunMessagesDecodeCleanly() throws Exception {
        boolean present = new File("/usr/bin/tshark").canExecute();
        if (!present && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail("tshark is not installed (Debian package tshark) but PEERLINE_REQUIRE_TOOLS=1");
        }
        assumeTrue(present, "tshark is not installed (Debian package tshark); .ci/run installs it");

        byte[] id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        InetSocketAddress boxA = new InetSocketAddress("203.0.113.1", 30000);
        byte[] check = IceAgent.check(id, "remoteufrag:localufrag", IceAgent.priority(IceAgent.PEER_REFLEXIVE, 65535, 1),
                true, 0x1122334455667788L, true, "the-other-boxs-password");
        byte[] answer = IceAgent.success((Request) Stun.decode(check), boxA, "this-boxs-password");
        byte[] consent = IceAgent.check(id, "remoteufrag:localufrag", IceAgent.priority(IceAgent.PEER_REFLEXIVE,
                65535, 1), true, 0x1122334455667788L, false, "the-other-boxs-password");
        Request ask = org.ice4j.message.MessageFactory.createBindingRequest();
        ask.setTransactionID(id);
        byte[] server = Stun.bindingAnswer(Stun.encode(ask, null), boxA);

        Path pcap = dir.resolve("stun.pcap");
        Files.write(pcap, pcap(List.of(check, answer, consent, server)));
        String fields = tshark(pcap, "-T", "fields", "-E", "separator=|", "-e", "stun.type", "-e", "stun.att.username",
                "-e", "stun.att.priority", "-e", "stun.att.crc32.status", "-e", "stun.att.ipv4", "-e", "_ws.malformed");
        String[] rows = fields.strip().split("\n");
        assertEquals(4, rows.length, fields);
        assertTrue(rows[0].startsWith("0x0001|remoteufrag:localufrag|1862270975|"), "the check: " + rows[0]);
        assertTrue(rows[1].startsWith("0x0101|") && rows[1].contains("203.0.113.1"), "its answer: " + rows[1]);
        assertTrue(rows[2].startsWith("0x0001|remoteufrag:localufrag|"), "the consent check: " + rows[2]);
        assertTrue(rows[3].startsWith("0x0101|") && rows[3].contains("203.0.113.1"), "the STUN server's answer: " + rows[3]);
        for (String row : rows) {
            String[] f = row.split("\\|", -1);
            assertEquals("1", f[3], "FINGERPRINT good: " + row);
            assertEquals("", f[5], "not malformed: " + row);
        }
        String verbose = tshark(pcap, "-V");
        assertTrue(verbose.contains("USE-CANDIDATE") && verbose.contains("ICE-CONTROLLING")
                && verbose.contains("MESSAGE-INTEGRITY"), verbose);
        assertEquals("", tshark(pcap, "-Y", "_ws.malformed || _ws.expert.severity >= 0x00600000").strip(),
                "no frame has a malformed field or an expert warning");
    }

    private String tshark(Path pcap, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-d", "udp.port==30000,stun"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("tshark.out");
        Path err = dir.resolve("tshark.err"); // as root it warns there that it runs as root
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "tshark finished");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text + Files.readString(err, StandardCharsets.UTF_8));
        return text;
    }

    /** A pcap file (LINKTYPE_RAW: IPv4 packets) of UDP datagrams between 192.0.2.1:30000 and 192.0.2.2:30000. */
    private static byte[] pcap(List<byte[]> payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
        out.writeBytes(header.array());
        int n = 0;
        for (byte[] payload : payloads) {
            int len = 28 + payload.length;
            ByteBuffer record = ByteBuffer.allocate(16 + len);
            record.order(ByteOrder.LITTLE_ENDIAN).putInt(1_700_000_000 + n++).putInt(0).putInt(len).putInt(len);
            record.order(ByteOrder.BIG_ENDIAN);
            record.put((byte) 0x45).put((byte) 0).putShort((short) len).putInt(0).put((byte) 64).put((byte) 17)
                    .putShort((short) 0).put(new byte[] {(byte) 192, 0, 2, (byte) (1 + n % 2)})
                    .put(new byte[] {(byte) 192, 0, 2, (byte) (2 - n % 2)});
            record.putShort((short) 30000).putShort((short) 30000).putShort((short) (8 + payload.length)).putShort((short) 0);
            record.put(payload);
            out.writeBytes(record.array());
        }
        return out.toByteArray();
    }
}
