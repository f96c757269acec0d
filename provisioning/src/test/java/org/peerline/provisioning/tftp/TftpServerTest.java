package org.peerline.provisioning.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server against a hand-made client on loopback: options, retransmission, transfer IDs and refusals. */
@Timeout(20)
class TftpServerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Longest wait for a packet the server must send; its retransmission timeout is 1 s. */
    private static final int WAIT_MILLIS = 3000;
    /** Wait for a packet the server must not send, shorter than its retransmission timeout. */
    private static final int QUIET_MILLIS = 400;

    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, InetSocketAddress> askedBy = new ConcurrentHashMap<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TftpServer server;

    @BeforeEach
    void start() throws IOException {
        server = TftpServer.start(new InetSocketAddress(LOOPBACK, 0), (name, client) -> {
            askedBy.put(name, client);
            if (name.equals("boom")) {
                throw new IllegalStateException("the file source failed on purpose");
            }
            return Optional.ofNullable(files.get(name));
        });
        toClose.add(server);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void negotiatesOptionsRetransmitsAndRejectsAStrangerTid() throws IOException {
        byte[] file = random(3000);
        files.put("cfg.xml", file);
        Client client = client();
        client.send(server.address(), rrq("/cfg.xml", "octet", "tsize", "0", "blksize", "1024", "x-vendor", "1"));

        Reply oack = client.receive();
        assertEquals(Packets.OACK, oack.opcode());
        assertEquals(Map.of("blksize", "1024", "tsize", "3000"), oack.options());
        SocketAddress tid = oack.from();
        assertNotEquals(server.address().getPort(), ((InetSocketAddress) tid).getPort());

        client.send(tid, ack(0));
        Reply first = client.receive();
        long sent = System.nanoTime();
        assertEquals(1, first.block());
        Reply again = client.receive(); // not acknowledged: the server must send block 1 again
        assertTrue(System.nanoTime() - sent > 800_000_000L, "retransmitted before the 1 s timeout");
        assertEquals(1, again.block());
        assertEquals(tid, again.from());
        assertArrayEquals(first.payload(), again.payload());

        Client stranger = client();
        stranger.send(tid, ack(1));
        Reply error = stranger.receive();
        assertEquals(Packets.ERROR, error.opcode());
        assertEquals(TftpError.UNKNOWN_TRANSFER_ID.code, error.block());

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        got.writeBytes(first.payload());
        client.send(tid, ack(1));
        Reply second = client.receive();
        assertEquals(2, second.block());
        client.send(tid, ack(1)); // a duplicate ACK: no sorcerer's apprentice, block 2 is not sent again
        assertNull(client.receiveOrNull(QUIET_MILLIS));
        got.writeBytes(second.payload());
        client.send(tid, ack(2));
        Reply third = client.receive();
        assertEquals(3, third.block());
        assertEquals(3000 - 2048, third.payload().length);
        got.writeBytes(third.payload());
        client.send(tid, ack(3));
        assertArrayEquals(file, got.toByteArray());
    }

    @Test
    void answersMalformedPacketsWithError4AndKeepsServing() throws IOException {
        Client client = client();
        byte[][] malformed = {
            {0, 9, 'x', 0},                                     // unknown opcode
            {0, 1, 'a', 'b', 'c'},                              // truncated RRQ: no NUL after the name
            {0, 1, 'a', 0, 'o', 'c'},                           // no NUL after the mode
            {0, 1, 'a', 0},                                     // no mode
            rrq("", "octet"),                                   // empty name
            rrq("/", "octet"),                                  // empty name once the '/' is gone
            rrq("a\nb", "octet"),                               // control character
            rrq("x".repeat(256), "octet"),                      // too long
            {7},                                                // one byte
            {0, 4, 0, 1},                                       // an ACK to the listening port
        };
        for (byte[] packet : malformed) {
            client.send(server.address(), packet);
            Reply reply = client.receive();
            assertEquals(Packets.ERROR, reply.opcode(), Arrays.toString(packet));
            assertEquals(TftpError.ILLEGAL_OPERATION.code, reply.block(), Arrays.toString(packet));
        }
        files.put("after.cfg", random(700));
        assertArrayEquals(files.get("after.cfg"), client.fetch(server.address(), "after.cfg", "octet"));
    }

    @Test
    void refusesWriteRequests() throws IOException {
        Client client = client();
        client.send(server.address(), wrq("upload.cfg", "octet"));
        Reply reply = client.receive();
        assertEquals(Packets.ERROR, reply.opcode());
        assertEquals(TftpError.ACCESS_VIOLATION.code, reply.block());
        assertEquals("read-only server", reply.message());
        assertTrue(askedBy.isEmpty());
    }

    @Test
    void refusesUnknownMode() throws IOException {
        files.put("a.cfg", random(10));
        Reply reply = request(rrq("a.cfg", "mail"));
        assertEquals(Packets.ERROR, reply.opcode());
        assertEquals(TftpError.ILLEGAL_OPERATION.code, reply.block());
    }

    @Test
    void refusesBadOptionValuesWithError8() throws IOException {
        files.put("a.cfg", random(10));
        String[][] bad = {{"blksize", "7"}, {"blksize", "65465"}, {"blksize", "big"}, {"timeout", "0"},
            {"timeout", "256"}, {"tsize", "-1"}};
        for (String[] option : bad) {
            Reply reply = request(rrq("a.cfg", "octet", option[0], option[1]));
            assertEquals(Packets.ERROR, reply.opcode(), option[0] + "=" + option[1]);
            assertEquals(TftpError.OPTION_REFUSED.code, reply.block(), option[0] + "=" + option[1]);
        }
    }

    @Test
    void capsBlockSizeAndEchoesTimeout() throws IOException {
        files.put("a.cfg", random(5000));
        Client client = client();
        client.send(server.address(), rrq("a.cfg", "OCTET", "BLKSIZE", "4000", "timeout", "3"));
        Reply oack = client.receive();
        assertEquals(Map.of("blksize", "1428", "timeout", "3"), oack.options());
        client.send(oack.from(), ack(0));
        assertEquals(1428, client.receive().payload().length);
    }

    @Test
    void leavesTsizeOutOfTheOackForAnEmptyFile() throws IOException {
        files.put("empty.cfg", new byte[0]);
        Client client = client();
        client.send(server.address(), rrq("empty.cfg", "octet", "tsize", "0"));
        Reply data = client.receive(); // tsize was the only option: no OACK at all
        assertEquals(Packets.DATA, data.opcode());
        assertEquals(1, data.block());
        assertEquals(0, data.payload().length);
        client.send(data.from(), ack(1));

        Client other = client();
        other.send(server.address(), rrq("empty.cfg", "octet", "tsize", "0", "blksize", "600"));
        Reply oack = other.receive();
        assertEquals(Map.of("blksize", "600"), oack.options());
    }

    @Test
    @Timeout(120) // 65,537 lock-step round trips: about 4 s on an idle machine, far more on a busy one
    void wrapsBlockNumbersAfter65535() throws IOException {
        byte[] file = random(8 * 65_536 + 3);
        files.put("big.bin", file);
        Client client = client();
        client.send(server.address(), rrq("big.bin", "octet", "blksize", "8"));
        Reply oack = client.receive();
        client.send(oack.from(), ack(0));
        ByteArrayOutputStream got = new ByteArrayOutputStream(file.length);
        long expected = 1;
        Reply data;
        do {
            data = client.receive();
            assertEquals(expected & 0xFFFF, data.block());
            got.writeBytes(data.payload());
            client.send(oack.from(), ack(data.block()));
            expected++;
        } while (data.payload().length == 8);
        assertEquals(65_538, expected);
        assertArrayEquals(file, got.toByteArray());
    }

    @Test
    void endsFileOfExactBlockMultipleWithEmptyBlock() throws IOException {
        files.put("a.cfg", random(1024));
        Client client = client();
        client.send(server.address(), rrq("a.cfg", "octet"));
        List<Integer> sizes = new ArrayList<>();
        Reply data;
        do {
            data = client.receive();
            sizes.add(data.payload().length);
            client.send(data.from(), ack(data.block()));
        } while (data.payload().length == 512);
        assertEquals(List.of(512, 512, 0), sizes);
    }

    @Test
    void convertsLineEndsInNetascii() throws IOException {
        files.put("t.txt", "a\nb\rc".getBytes(StandardCharsets.US_ASCII));
        byte[] got = client().fetch(server.address(), "t.txt", "NetAscii");
        assertArrayEquals(new byte[] {'a', '\r', '\n', 'b', '\r', 0, 'c'}, got);
    }

    @Test
    void passesTheClientAddressToTheSource() throws IOException {
        files.put("dir/mac.cfg", random(100));
        Client client = client();
        client.fetch(server.address(), "/dir/mac.cfg", "octet");
        assertEquals(client.socket.getLocalSocketAddress(), askedBy.get("dir/mac.cfg"));
    }

    @Test
    void answersMissingFileWithError1AndFailingSourceWithError0() throws IOException {
        Reply missing = request(rrq("nothing.cfg", "octet"));
        assertEquals(TftpError.FILE_NOT_FOUND.code, missing.block());
        assertEquals("file not found", missing.message());
        Reply failed = request(rrq("boom", "octet"));
        assertEquals(TftpError.NOT_DEFINED.code, failed.block());
        assertEquals("internal error", failed.message());
    }

    @Test
    void retransmittedRequestDoesNotStartASecondTransfer() throws IOException {
        files.put("a.cfg", random(2000));
        Client client = client();
        client.send(server.address(), rrq("a.cfg", "octet"));
        Reply first = client.receive();
        client.send(server.address(), rrq("a.cfg", "octet"));
        assertNull(client.receiveOrNull(QUIET_MILLIS), "a second transfer answered the repeated RRQ");
        assertEquals(1, first.block());
    }

    @Test
    void refusesTransfersBeyondTheLimit() throws IOException {
        files.put("a.cfg", random(2000));
        for (int i = 0; i < TftpServer.MAX_TRANSFERS; i++) {
            Client client = client();
            client.send(server.address(), rrq("a.cfg", "octet"));
            assertEquals(Packets.DATA, client.receive().opcode());
        }
        Reply busy = request(rrq("a.cfg", "octet"));
        assertEquals(TftpError.NOT_DEFINED.code, busy.block());
        assertEquals("server busy, retry", busy.message());
    }

    @Test
    void closeStopsListeningAndIsIdempotent() throws IOException {
        files.put("a.cfg", random(2000));
        Client client = client();
        client.send(server.address(), rrq("a.cfg", "octet"));
        Reply data = client.receive();
        server.close();
        server.close();
        client.send(data.from(), ack(1));
        assertNull(client.receiveOrNull(QUIET_MILLIS));
        try (DatagramSocket again = new DatagramSocket(server.address())) {
            assertEquals(server.address().getPort(), again.getLocalPort());
        }
    }

    @Test
    void startRefusesNullArguments() {
        assertThrows(NullPointerException.class, () -> TftpServer.start(null, (n, c) -> Optional.empty()));
    }

    private Reply request(byte[] packet) throws IOException {
        Client client = client();
        client.send(server.address(), packet);
        return client.receive();
    }

    private Client client() throws IOException {
        Client client = new Client(new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)));
        toClose.add(client);
        return client;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static byte[] rrq(String name, String mode, String... options) {
        return requestPacket(Packets.RRQ, name, mode, options);
    }

    private static byte[] wrq(String name, String mode) {
        return requestPacket(Packets.WRQ, name, mode);
    }

    private static byte[] requestPacket(int opcode, String name, String mode, String... options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(opcode);
        for (String text : concat(name, mode, options)) {
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    private static List<String> concat(String name, String mode, String... options) {
        List<String> all = new ArrayList<>(List.of(name, mode));
        all.addAll(List.of(options));
        return all;
    }

    private static byte[] ack(int block) {
        return new byte[] {0, Packets.ACK, (byte) (block >>> 8), (byte) block};
    }

    /** A received packet; {@code block} is the block number of DATA and ACK, the error code of ERROR. */
    private record Reply(int opcode, int block, byte[] payload, SocketAddress from) {
        String message() {
            int end = 0;
            while (end < payload.length && payload[end] != 0) {
                end++;
            }
            return new String(payload, 0, end, StandardCharsets.US_ASCII);
        }

        Map<String, String> options() {
            String[] fields = new String(payload, StandardCharsets.US_ASCII).split("\0");
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i + 1 < fields.length; i += 2) {
                options.put(fields[i], fields[i + 1]);
            }
            return options;
        }
    }

    /** A minimal TFTP client over one socket; every wait is bounded. */
    private static final class Client implements AutoCloseable {
        private final DatagramSocket socket;

        Client(DatagramSocket socket) {
            this.socket = socket;
        }

        void send(SocketAddress to, byte[] packet) throws IOException {
            socket.send(new DatagramPacket(packet, packet.length, to));
        }

        Reply receive() throws IOException {
            Reply reply = receiveOrNull(WAIT_MILLIS);
            if (reply == null) {
                throw new SocketTimeoutException("no packet from the server in " + WAIT_MILLIS + " ms");
            }
            return reply;
        }

        Reply receiveOrNull(int millis) throws IOException {
            byte[] buffer = new byte[70_000];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            socket.setSoTimeout(millis);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            int length = packet.getLength();
            int second = length >= 4 ? Packets.u16(buffer, 2) : -1;
            int from = Packets.opcode(buffer, length) == Packets.OACK ? 2 : Math.min(4, length);
            return new Reply(Packets.opcode(buffer, length), second, Arrays.copyOfRange(buffer, from, length),
                    packet.getSocketAddress());
        }

        /** Fetches a file without options, acknowledging every block. */
        byte[] fetch(SocketAddress server, String name, String mode) throws IOException {
            send(server, rrq(name, mode));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Reply data;
            do {
                data = receive();
                assertEquals(Packets.DATA, data.opcode(), "expected DATA, got " + data.opcode());
                got.writeBytes(data.payload());
                send(data.from(), ack(data.block()));
            } while (data.payload().length == 512);
            return got.toByteArray();
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
