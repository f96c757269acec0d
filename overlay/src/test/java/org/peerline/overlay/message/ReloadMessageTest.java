package org.peerline.overlay.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.peerline.overlay.api.NodeId;

class ReloadMessageTest {
    @Test
    void forwardingHeaderFieldsSitWhereRfc6940PutsThem() {
        ReloadMessage m = Fixtures.message(MessageCode.PING_REQ, new Bodies.PingReq(new byte[0]).encode(),
                0x0102030405060708L);
        byte[] b = m.encode();
        ByteBuffer bb = ByteBuffer.wrap(b);
        assertEquals(0xd2454c4f, bb.getInt(0), "relo_token");
        assertEquals((int) Fixtures.OVERLAY, bb.getInt(4), "overlay");
        assertEquals(1, bb.getShort(8), "configuration_sequence");
        assertEquals(10, b[10], "version");
        assertEquals(100, b[11], "ttl");
        assertEquals(0xc0000000, bb.getInt(12), "fragment: unfragmented");
        assertEquals(b.length, bb.getInt(16), "length counts the whole message");
        assertEquals(0x0102030405060708L, bb.getLong(20), "transaction_id");
        assertEquals(0, bb.getInt(28), "max_response_length");
        assertEquals(18, bb.getShort(32), "via_list_length: one node destination, 1+1+16 bytes");
        assertEquals(18, bb.getShort(34), "destination_list_length");
        assertEquals(0, bb.getShort(36), "options_length");
        assertEquals(Destination.NODE, b[38]);
        assertEquals(16, b[39]);
        int contents = 38 + 18 + 18;
        assertEquals(MessageCode.PING_REQ.code, bb.getShort(contents), "message_code");
        assertEquals(2, bb.getInt(contents + 2), "message_body length: PingReq with empty padding");
    }

    @Test
    void everyFixtureSurvivesARoundTripByteForByte() throws Exception {
        for (ReloadMessage m : Fixtures.all()) {
            byte[] b = m.encode();
            ReloadMessage back = ReloadMessage.decode(b);
            assertEquals(m, back, m.contents().messageCode().toString());
            assertArrayEquals(b, back.encode());
        }
    }

    @Test
    void carriesEveryKindOfDestinationOptionExtensionAndCertificate() throws Exception {
        ForwardingHeader h = new ForwardingHeader(Fixtures.OVERLAY, 7, 3, ForwardingHeader.UNFRAGMENTED, -1L, 5000,
                List.of(new Destination.Compressed(0x8123), new Destination.Opaque(new byte[] {1, 2, 3})),
                List.of(new Destination.Resource(new byte[] {9, 9}), new Destination.Node(Fixtures.B)),
                List.of(new ForwardingOption(5, ForwardingOption.DESTINATION_CRITICAL, new byte[] {7})));
        MessageContents c = new MessageContents(MessageCode.FETCH_REQ.code, new byte[] {1, 2},
                List.of(new MessageContents.Extension(0x1234, true, new byte[] {4})));
        SecurityBlock s = new SecurityBlock(List.of(new SecurityBlock.Certificate(SecurityBlock.X509, new byte[] {0x30})),
                new SecurityBlock.Signature(SecurityBlock.HASH_SHA256, SecurityBlock.SIG_ECDSA,
                        new SecurityBlock.SignerIdentity(SecurityBlock.IDENTITY_CERT_HASH, SecurityBlock.HASH_SHA256,
                                new byte[32]), new byte[] {5, 6}));
        ReloadMessage m = new ReloadMessage(h, c, s);
        assertEquals(m, ReloadMessage.decode(m.encode()));
    }

    @Test
    void signatureInputIsOverlayTransactionContentsAndIdentity() {
        ReloadMessage m0 = Fixtures.message(MessageCode.PING_REQ, new byte[] {0, 0}, 42);
        ReloadMessage m = new ReloadMessage(m0.header(), m0.contents(),
                new SecurityBlock(List.of(), SecurityBlock.Signature.NONE));
        byte[] in = m.signatureInput();
        ByteBuffer bb = ByteBuffer.wrap(in);
        assertEquals((int) Fixtures.OVERLAY, bb.getInt(0));
        assertEquals(42, bb.getLong(4));
        assertEquals(MessageCode.PING_REQ.code, bb.getShort(12));
        // contents: code 2 + body 4+2 + extensions 4; identity none: type 1 + length 2
        assertEquals(4 + 8 + 12 + 3, in.length);
    }

    @Test
    void refusesTruncatedWrongTokenWrongVersionAndWrongLength() {
        byte[] good = Fixtures.all().get(0).encode();
        for (int cut : new int[] {0, 3, 37, 50, good.length - 1}) {
            byte[] b = java.util.Arrays.copyOf(good, cut);
            DecodeException e = assertThrows(DecodeException.class, () -> ReloadMessage.decode(b), "cut at " + cut);
            assertTrue(e.getMessage().contains("offset") || e.getMessage().contains("bytes"), e.getMessage());
        }
        byte[] token = good.clone();
        token[0] = 0x52;
        assertThrows(DecodeException.class, () -> ReloadMessage.decode(token));
        byte[] version = good.clone();
        version[10] = 1;
        assertThrows(DecodeException.class, () -> ReloadMessage.decode(version));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(DecodeException.class, () -> ReloadMessage.decode(longer));
    }

    @Test
    void overlayHashIsTheLowThirtyTwoBitsOfSha1() {
        // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d (FIPS 180-2 test vector)
        assertEquals(0x9cd0d89dL, ForwardingHeader.overlayHash("abc"));
    }

    @Test
    void framesDataAndAcks() throws Exception {
        byte[] msg = Fixtures.all().get(0).encode();
        byte[] data = FramedMessage.encode(new FramedMessage.Data(0xfffffffeL, msg));
        assertEquals(FramedMessage.DATA_HEADER_BYTES + msg.length, data.length);
        assertEquals(data.length, FramedMessage.frameLength(data, 0, data.length));
        assertEquals(-1, FramedMessage.frameLength(data, 0, 5));
        FramedMessage.Data d = (FramedMessage.Data) FramedMessage.decode(data);
        assertEquals(0xfffffffeL, d.sequence());
        assertArrayEquals(msg, d.message());
        byte[] ack = FramedMessage.encode(new FramedMessage.Ack(7, 0x80000001L));
        assertEquals(FramedMessage.ACK_BYTES, ack.length);
        assertEquals(new FramedMessage.Ack(7, 0x80000001L), FramedMessage.decode(ack));
    }

    @Test
    void nodeIdsCompareAsUnsignedAndWrapAroundTheRing() {
        NodeId max = NodeId.parse("ffffffffffffffffffffffffffffffff");
        NodeId zero = NodeId.parse("00000000000000000000000000000000");
        assertTrue(max.compareTo(zero) > 0);
        assertEquals(zero, max.plusPowerOfTwo(0));
        assertTrue(zero.inHalfOpen(Fixtures.B, Fixtures.A), "interval wrapping past zero");
        assertTrue(Fixtures.A.inHalfOpen(Fixtures.B, Fixtures.A), "upper end included");
        assertTrue(!Fixtures.B.inHalfOpen(Fixtures.B, Fixtures.A), "lower end excluded");
    }
}
