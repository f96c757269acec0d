package org.peerline.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay on real UDP sockets on loopback: phones are plain DatagramSockets. */
@Timeout(60)
class MediaRelayTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final int MIN = 42000;
    private static final int MAX = 42199;
    private MediaRelay relay;
    private final List<DatagramSocket> sockets = new ArrayList<>();

    @AfterEach
    void stop() {
        sockets.forEach(DatagramSocket::close);
        if (relay != null) {
            relay.close();
        }
    }

    private MediaRelay relay(Duration idle) {
        relay = MediaRelay.start(new RelaySettings("127.0.0.1", MIN, MAX, idle), 1);
        return relay;
    }

    private DatagramSocket phone(String ip) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(ip), 0));
        s.setSoTimeout(2000);
        sockets.add(s);
        return s;
    }

    private static byte[] rtp(int seq, long timestamp) {
        ByteBuffer b = ByteBuffer.allocate(172);
        b.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt((int) timestamp).putInt(0x1234abcd);
        for (int i = 0; i < 160; i++) {
            b.put((byte) (seq + i));
        }
        return b.array();
    }

    private static void send(DatagramSocket from, byte[] data, int port) throws IOException {
        from.send(new DatagramPacket(data, data.length, LO, port));
    }

    /** The next datagram at {@code s}, or null within the socket's timeout. */
    static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        try {
            s.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static InetSocketAddress at(DatagramSocket s) {
        return new InetSocketAddress(LO, s.getLocalPort());
    }

    @Test
    void forwardsRtpAndRtcpBothWaysFromTheRelaysOwnPorts() throws Exception {
        relay(Duration.ofSeconds(30));
        DatagramSocket alice = phone("127.0.0.1");
        DatagramSocket bob = phone("127.0.0.1");
        DatagramSocket bobRtcp = new DatagramSocket(bob.getLocalPort() + 1, LO); // may clash; then skip RTCP check
        sockets.add(bobRtcp);
        bobRtcp.setSoTimeout(2000);
        RelayCall call = relay.open("call-1");
        call.a().expect(LO, at(alice), null);
        call.b().expect(LO, at(bob), null);

        for (int seq = 1; seq <= 10; seq++) {
            if (seq == 5) {
                continue; // lost on the way in
            }
            byte[] out = rtp(seq, seq * 160L);
            send(alice, out, call.a().rtpPort());
            DatagramPacket in = receive(bob);
            assertTrue(in != null, "bob got packet " + seq);
            assertEquals(call.b().rtpPort(), in.getPort(), "from the relay's port facing bob (symmetric RTP)");
            assertArrayEquals(out, java.util.Arrays.copyOf(in.getData(), in.getLength()), "untouched");
        }
        byte[] back = rtp(100, 16000);
        send(bob, back, call.b().rtpPort());
        DatagramPacket atAlice = receive(alice);
        assertTrue(atAlice != null && atAlice.getPort() == call.a().rtpPort(), "alice got bob's packet from her leg's port");

        byte[] report = {(byte) 0x80, (byte) 200, 0, 6, 1, 2, 3, 4};
        send(alice, report, call.a().rtcpPort());
        DatagramPacket rtcp = receive(bobRtcp);
        assertTrue(rtcp != null && rtcp.getPort() == call.b().rtcpPort(), "RTCP went to bob's RTP port + 1");

        RtpCounter.Stats a = call.a().stats();
        assertEquals(10, a.packets(), "9 RTP and 1 RTCP from alice");
        assertEquals(9 * 172 + 8, a.bytes());
        assertEquals(1, a.lost(), "sequence 5 never came");
        assertEquals(1, call.b().stats().packets());
    }

    @Test
    void latchesOnThePhonesRealAddressButOnlyFromTheSignallingSource() throws Exception {
        relay(Duration.ofSeconds(30));
        DatagramSocket alice = phone("127.0.0.1");
        DatagramSocket bob = phone("127.0.0.1");
        DatagramSocket attacker = phone("127.0.0.2");
        RelayCall call = relay.open("call-2");
        call.a().expect(LO, at(alice), null);
        // bob is behind a NAT: his SDP names an address nothing listens on; his packets come from elsewhere
        call.b().expect(LO, new InetSocketAddress(LO, 9), null);
        send(bob, rtp(1, 0), call.b().rtpPort());
        assertTrue(receive(alice) != null, "alice hears bob");
        send(alice, rtp(1, 0), call.a().rtpPort());
        assertTrue(receive(bob) != null, "bob hears alice at the address his packets came from, not his SDP's");

        // a third party sends to bob's leg first thing now: dropped, and bob keeps his media
        send(attacker, rtp(2, 160), call.b().rtpPort());
        assertNull(receive(alice), "nothing from a stranger reaches alice");
        assertEquals(1, call.b().stats().rejected());
        send(alice, rtp(2, 160), call.a().rtpPort());
        assertTrue(receive(bob) != null, "bob still gets alice's packets");
        assertEquals(new InetSocketAddress(LO, bob.getLocalPort()), call.b().rtpDestination());
    }

    @Test
    void aPrivateSdpAddressIsNeverSentToOnlyItsPorts() throws Exception {
        relay(Duration.ofSeconds(30));
        DatagramSocket alice = phone("127.0.0.1");
        DatagramSocket natRouter = phone("127.0.0.1"); // where bob's NAT maps his port
        RelayCall call = relay.open("call-3");
        call.a().expect(LO, at(alice), null);
        // bob's SIP came from 127.0.0.1 (his NAT); his SDP names a private address on the far side of it
        call.b().expect(LO, new InetSocketAddress(InetAddress.getByName("192.168.1.2"), natRouter.getLocalPort()), null);
        assertEquals(new InetSocketAddress(LO, natRouter.getLocalPort()), call.b().rtpDestination(),
                "the signalling source at the SDP's port, not 192.168.1.2");
        send(alice, rtp(1, 0), call.a().rtpPort());
        assertTrue(receive(natRouter) != null, "alice's media goes to bob's NAT before bob sent anything");
    }

    @Test
    void aCallSaysWhatWentWrongWithItsMedia() throws Exception {
        relay(Duration.ofSeconds(30));
        DatagramSocket alice = phone("127.0.0.1");
        DatagramSocket bob = phone("127.0.0.1");
        RelayCall call = relay.open("call-4");
        call.a().expect(LO, at(alice), null);
        send(bob, rtp(0, 0), call.b().rtpPort()); // overtakes the answer that names bob: early, not a stranger's
        assertNull(receive(alice));
        assertEquals(1, call.b().early());
        assertEquals(0, call.b().stats().rejected());
        call.b().expect(LO, at(bob), null);
        long now = System.nanoTime();
        assertNull(call.problem(now, Duration.ofSeconds(10).toNanos()), "a short call without media was not answered");
        assertEquals("no media from either side", call.problem(now + Duration.ofSeconds(20).toNanos(),
                Duration.ofSeconds(10).toNanos()));
        send(alice, rtp(1, 0), call.a().rtpPort());
        assertTrue(receive(bob) != null);
        assertEquals("no media from the callee's side (one-way audio)", call.problem(now, 0));
        send(bob, rtp(1, 0), call.b().rtpPort());
        assertTrue(receive(alice) != null);
        assertNull(call.problem(now, 0), "both sides sent");
        DatagramSocket stranger = phone("127.0.0.2");
        send(stranger, rtp(9, 0), call.b().rtpPort());
        assertNull(receive(alice), "the stranger's packet is dropped");
        assertEquals(1, call.b().stats().rejected());
        assertTrue(call.problem(now, 0).startsWith("1 packets dropped for coming from another IP"), call.problem(now, 0));
    }

    @Test
    void everyPortGoesBackToThePool() throws Exception {
        relay(Duration.ofSeconds(30));
        for (int i = 0; i < 300; i++) {
            RelayCall c = relay.open("c" + i);
            assertEquals(4, relay.portsInUse());
            c.close();
            c.close(); // twice does no harm
            assertEquals(0, relay.portsInUse(), "after call " + i);
        }
        List<RelayCall> open = new ArrayList<>();
        for (int i = 0; i < (MAX - MIN + 1) / 4; i++) {
            open.add(relay.open("full" + i));
        }
        IOException full = assertThrows(IOException.class, () -> relay.open("one too many"));
        assertTrue(full.getMessage().contains("all 100 call legs are in use"), full.getMessage());
        open.forEach(RelayCall::close);
        assertEquals(0, relay.portsInUse());
        assertTrue(relay.calls().isEmpty());
        try (DatagramSocket s = new DatagramSocket(MIN, LO)) {
            assertEquals(MIN, s.getLocalPort(), "the relay's sockets are really closed");
        }
    }

    @Test
    void aPortAnotherProgramHoldsIsSkipped() throws Exception {
        relay(Duration.ofSeconds(30));
        try (DatagramSocket squatter = new DatagramSocket(MIN + 10, LO)) {
            // round the whole range twice: the pool hands out the held pair too, and the call takes others
            List<RelayCall> calls = new ArrayList<>();
            for (int i = 0; i < (MAX - MIN + 1) / 2; i++) {
                RelayCall c = relay.open("c" + i);
                assertTrue(c.a().rtpPort() != MIN + 10 && c.b().rtpPort() != MIN + 10, "call " + i + " got the held port");
                calls.add(c);
                if (calls.size() == 10) {
                    calls.forEach(RelayCall::close);
                    calls.clear();
                }
            }
            calls.forEach(RelayCall::close);
            assertEquals(0, relay.portsInUse(), "no port left held, the skipped one included");
            assertEquals(MIN + 10, squatter.getLocalPort());
        }
    }

    @Test
    void anIdleCallIsClosedAndItsPortsFreed() throws Exception {
        relay(Duration.ofSeconds(1));
        relay.open("forgotten");
        assertEquals(4, relay.portsInUse());
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (relay.portsInUse() > 0 && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertEquals(0, relay.portsInUse(), "closed after a second without packets");
        assertTrue(relay.calls().isEmpty());
    }

    @Test
    void settingsRefuseARangeThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new RelaySettings("127.0.0.1", 30001, 30999, Duration.ofSeconds(30)));
        assertThrows(IllegalArgumentException.class, () -> new RelaySettings("127.0.0.1", 30000, 30001, Duration.ofSeconds(30)));
        assertThrows(IllegalArgumentException.class, () -> new RelaySettings("127.0.0.1", 80, 999, Duration.ofSeconds(30)));
        assertEquals(500, new RelaySettings("127.0.0.1", 30000, 30999, Duration.ofSeconds(30)).legCapacity());
    }
}
