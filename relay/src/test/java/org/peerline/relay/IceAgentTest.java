package org.peerline.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ICE between two relays on real loopback sockets, and the STUN messages it is made of. */
@Timeout(60)
class IceAgentTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private MediaRelay relay(int min) {
        MediaRelay r = MediaRelay.start(new RelaySettings("127.0.0.1", min, min + 99, Duration.ofSeconds(30)), 1);
        open.add(r);
        return r;
    }

    private DatagramSocket socket() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(LO, 0));
        s.setSoTimeout(3000);
        open.add(s);
        return s;
    }

    private static DatagramPacket receive(DatagramSocket s) throws IOException {
        return MediaRelayTest.receive(s);
    }

    private static byte[] rtp(int seq) {
        byte[] b = new byte[172];
        b[0] = (byte) 0x80;
        b[2] = (byte) (seq >> 8);
        b[3] = (byte) seq;
        b[12] = (byte) seq;
        return b;
    }

    private static void awaitStatus(IceAgent agent, String prefix) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!agent.status().startsWith(prefix) && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(agent.status().startsWith(prefix), "ICE status: " + agent.status());
    }

    @Test
    void signedMessagesVerifyOnlyWithTheirKeyAndIce4jReadsThemBack() {
        Request check = MessageFactory.createBindingRequest();
        check.putAttribute(AttributeFactory.createUsernameAttribute("abcd:efgh"));
        check.putAttribute(AttributeFactory.createPriorityAttribute(IceAgent.priority(IceAgent.PEER_REFLEXIVE, 65535, 1)));
        try {
            check.setTransactionID(new byte[12]);
        } catch (org.ice4j.StunException e) {
            throw new AssertionError(e);
        }
        byte[] wire = Stun.encode(check, Stun.key("the-password"));
        assertTrue(Stun.is(Unpooled.wrappedBuffer(wire)));
        assertTrue(Stun.signedWith(wire, Stun.key("the-password")));
        assertFalse(Stun.signedWith(wire, Stun.key("another-password")));
        byte[] tampered = wire.clone();
        tampered[27] ^= 1; // inside USERNAME
        assertFalse(Stun.signedWith(tampered, Stun.key("the-password")));
        Message back = Stun.decode(wire); // ice4j checks the FINGERPRINT as it decodes
        assertNotNull(back);
        assertEquals(Message.BINDING_REQUEST, back.getMessageType());
        assertNotNull(back.getAttribute(Attribute.MESSAGE_INTEGRITY));
        assertNotNull(back.getAttribute(Attribute.FINGERPRINT));
        assertFalse(Stun.is(Unpooled.wrappedBuffer(rtp(1))), "RTP is not STUN");
    }

    @Test
    void candidatesRoundTripThroughRestcommsParser() {
        IceAgent.Candidate c = new IceAgent.Candidate("2", 1, IceAgent.priority(IceAgent.SERVER_REFLEXIVE, 65535, 1),
                new InetSocketAddress("203.0.113.7", 30012), "srflx", new InetSocketAddress("192.168.1.10", 30012));
        assertEquals("candidate:2 1 UDP 1694498815 203.0.113.7 30012 typ srflx raddr 192.168.1.10 rport 30012", c.sdp());
        assertEquals(c, IceAgent.Candidate.parse("a=" + c.sdp()));
        assertNull(IceAgent.Candidate.parse("a=candidate:1 1 TCP 2128609279 10.0.0.1 9 typ host tcptype active"));
        assertTrue(IceAgent.pairPriority(5, 3) > IceAgent.pairPriority(3, 5), "the controlling side breaks ties");
    }

    @Test
    void theStunServerTellsASocketWhereItsPacketsComeFrom() throws Exception {
        MediaRelay server = relay(43000);
        InetSocketAddress stun = server.serveStun(new InetSocketAddress(LO, 0));
        DatagramSocket client = socket();
        Request ask = MessageFactory.createBindingRequest();
        ask.setTransactionID(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        byte[] wire = Stun.encode(ask, null);
        client.send(new DatagramPacket(wire, wire.length, stun));
        DatagramPacket answer = receive(client);
        assertNotNull(answer, "the STUN server answered");
        Message m = Stun.decode(java.util.Arrays.copyOf(answer.getData(), answer.getLength()));
        assertNotNull(m);
        assertEquals(Message.BINDING_SUCCESS_RESPONSE, m.getMessageType());
        assertArrayEquals(ask.getTransactionID(), m.getTransactionID());
        XorMappedAddressAttribute mapped = (XorMappedAddressAttribute) m.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        var seen = mapped.getAddress(m.getTransactionID());
        assertEquals(new InetSocketAddress(LO, client.getLocalPort()), new InetSocketAddress(seen.getAddress(), seen.getPort()));
    }

    /**
     * Two relays, each with a call whose leg faces the other box: ICE finds the pair among a dead candidate and a
     * working one, the controlling side nominates it, and RTP then crosses both relays both ways although neither
     * WAN leg was told by SDP who the other is.
     */
    @Test
    void twoRelaysFindTheirPathAndMediaCrossesItBothWays() throws Exception {
        MediaRelay x = relay(43100);
        MediaRelay y = relay(43200);
        InetSocketAddress stun = y.serveStun(new InetSocketAddress(LO, 0));
        RelayCall cx = x.open("call-1");
        RelayCall cy = y.open("call-1");
        IceAgent ax = cx.b().ice("call-1", true, false);
        IceAgent ay = cy.a().ice("call-1", false, false);
        ax.gather(stun, 1000).get(5, java.util.concurrent.TimeUnit.SECONDS);
        ay.gather(stun, 1000).get(5, java.util.concurrent.TimeUnit.SECONDS);
        // x pretends to advertise another address (a box behind a NAT): its STUN-learned one is a candidate then
        List<IceAgent.Candidate> fromX = new ArrayList<>(ax.candidates("127.0.0.9"));
        assertTrue(fromX.stream().anyMatch(c -> c.type().equals("srflx")
                && c.address().equals(new InetSocketAddress(LO, cx.b().rtpPort()))), "server-reflexive: " + fromX);
        List<IceAgent.Candidate> fromY = new ArrayList<>(ay.candidates("127.0.0.1"));
        fromY.add(new IceAgent.Candidate("9", 1, IceAgent.priority(IceAgent.HOST, 65535, 1) + 1000,
                new InetSocketAddress(LO, 9), "host", null)); // the best-ranked candidate answers nothing
        ay.remote(ax.credentials(), fromX);
        ax.remote(ay.credentials(), fromY);
        awaitStatus(ax, "connected");
        awaitStatus(ay, "connected");
        assertTrue(ax.status().contains("127.0.0.1:" + cy.a().rtpPort()), ax.status());

        DatagramSocket phoneX = socket();
        DatagramSocket phoneY = socket();
        cx.a().expect(LO, new InetSocketAddress(LO, phoneX.getLocalPort()), null);
        cy.b().expect(LO, new InetSocketAddress(LO, phoneY.getLocalPort()), null);
        for (int i = 0; i < 5; i++) {
            phoneX.send(new DatagramPacket(rtp(i), 172, LO, cx.a().rtpPort()));
            DatagramPacket atY = receive(phoneY);
            assertNotNull(atY, "RTP from phone X reached phone Y through both relays");
            assertEquals(i, atY.getData()[12]);
            phoneY.send(new DatagramPacket(rtp(100 + i), 172, LO, cy.b().rtpPort()));
            DatagramPacket atX = receive(phoneX);
            assertNotNull(atX, "RTP from phone Y reached phone X through both relays");
            assertEquals(100 + i, atX.getData()[12]);
        }
        assertEquals(0, cx.b().stats().rejected() + cy.a().stats().rejected());
        assertEquals(5, cy.a().stats().packets(), "STUN is not counted as media");

        // media of this call still arriving by another admitted path (a third box's relay, while the other side
        // switches over) is forwarded, but does not pull the leg off the pair ICE chose
        DatagramSocket thirdBox = socket();
        cy.a().expect(LO, new InetSocketAddress(LO, thirdBox.getLocalPort()), null);
        thirdBox.send(new DatagramPacket(rtp(50), 172, LO, cy.a().rtpPort()));
        assertNotNull(receive(phoneY), "forwarded");
        phoneY.send(new DatagramPacket(rtp(51), 172, LO, cy.b().rtpPort()));
        DatagramPacket atX = receive(phoneX);
        assertNotNull(atX, "still on the ICE pair: phone X gets it");
        assertEquals(51, atX.getData()[12]);
        thirdBox.setSoTimeout(300);
        assertNull(receive(thirdBox), "nothing goes back by the other path");
    }

    /**
     * Consent freshness (RFC 7675), with its timing shortened: while the other box answers, the chosen pair keeps
     * consent well past the timeout; once it stops answering, consent expires and nothing more is sent to it.
     */
    @Test
    void consentIsRefreshedWhileTheOtherBoxAnswersAndExpiresWhenItStops() throws Exception {
        IceAgent.Consent quick = new IceAgent.Consent(200, 1000);
        MediaRelay x = relay(43400);
        MediaRelay y = relay(43500);
        RelayCall cx = x.open("call-3");
        RelayCall cy = y.open("call-3");
        IceAgent ax = cx.b().ice("call-3", true, false, quick);
        IceAgent ay = cy.a().ice("call-3", false, false, quick);
        ay.remote(ax.credentials(), ax.candidates("127.0.0.1"));
        ax.remote(ay.credentials(), ay.candidates("127.0.0.1"));
        awaitStatus(ax, "connected");
        awaitStatus(ay, "connected");
        DatagramSocket phoneX = socket();
        DatagramSocket phoneY = socket();
        cx.a().expect(LO, new InetSocketAddress(LO, phoneX.getLocalPort()), null);
        cy.b().expect(LO, new InetSocketAddress(LO, phoneY.getLocalPort()), null);

        Thread.sleep(2500); // two and a half consent timeouts
        assertTrue(ax.status().startsWith("connected"), "consent kept while the other box answers: " + ax.status());
        phoneX.send(new DatagramPacket(rtp(1), 172, LO, cx.a().rtpPort()));
        assertNotNull(receive(phoneY), "media still flows");

        y.close(); // the other box is gone: its relay answers no more checks
        awaitStatus(ax, "consent expired");
        long before = cx.a().undeliverable();
        phoneX.send(new DatagramPacket(rtp(2), 172, LO, cx.a().rtpPort()));
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (cx.a().undeliverable() == before && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(before + 1, cx.a().undeliverable(), "without consent the relay sends nothing to the old pair");
    }

    /** A stranger who knows a leg's port but not its ICE password gets no answer and cannot inject media. */
    @Test
    void aCheckWithoutThePasswordIsIgnored() throws Exception {
        MediaRelay x = relay(43300);
        RelayCall c = x.open("call-2");
        IceAgent agent = c.b().ice("call-2", false, false);
        c.b().expect(InetAddress.getByName("127.0.0.2"), new InetSocketAddress("127.0.0.2", 9), null);
        DatagramSocket stranger = socket();
        Request check = MessageFactory.createBindingRequest();
        check.setTransactionID(new byte[12]);
        check.putAttribute(AttributeFactory.createUsernameAttribute(agent.credentials().ufrag() + ":zzzz"));
        byte[] wire = Stun.encode(check, Stun.key("guessed"));
        stranger.send(new DatagramPacket(wire, wire.length, LO, c.b().rtpPort()));
        stranger.setSoTimeout(500);
        assertNull(receive(stranger), "no answer without the password");
        stranger.send(new DatagramPacket(rtp(1), 172, LO, c.b().rtpPort()));
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (c.b().stats().rejected() == 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(1, c.b().stats().rejected(), "its media is rejected");
    }
}
