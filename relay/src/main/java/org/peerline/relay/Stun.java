package org.peerline.relay;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.ice4j.StunException;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.FingerprintAttribute;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.message.Message;

/**
 * STUN (RFC 8489) as the relay's sockets speak it: telling a STUN message from RTP on the same port (RFC 7983),
 * and reading and writing messages with ice4j's codec. ice4j signs through a {@code StunStack} that would own
 * sockets and threads of its own; the relay's sockets are netty's, so the MESSAGE-INTEGRITY (HMAC-SHA1 with the
 * short-term password, RFC 8489 §14.5) and FINGERPRINT (§14.7) trailers are added and checked here, with
 * ice4j's own HMAC and CRC functions.
 */
final class Stun {
    /** RFC 8489 §5: bytes 4-7 of every STUN message. */
    static final int MAGIC_COOKIE = 0x2112A442;
    private static final int HEADER = 20;
    private static final int INTEGRITY_LENGTH = 24;
    private static final int FINGERPRINT_LENGTH = 8;

    private Stun() {
    }

    /**
     * True if {@code b} holds a STUN message: the first two bits zero (RTP and RTCP have version 2 there), the
     * magic cookie, and a length that matches the datagram.
     */
    static boolean is(ByteBuf b) {
        int len = b.readableBytes();
        int i = b.readerIndex();
        return len >= HEADER && (b.getUnsignedByte(i) & 0xC0) == 0 && b.getInt(i + 4) == MAGIC_COOKIE
                && b.getUnsignedShort(i + 2) + HEADER == len;
    }

    /** The datagram's bytes. */
    static byte[] bytes(ByteBuf b) {
        byte[] raw = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), raw);
        return raw;
    }

    /** Reads a message; null if ice4j finds it malformed. */
    static Message decode(byte[] raw) {
        try {
            return Message.decode(raw, 0, raw.length);
        } catch (StunException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The wire form of {@code m}, signed with {@code key} (null: no MESSAGE-INTEGRITY) and fingerprinted. {@code m}
     * must not carry either attribute itself.
     */
    static byte[] encode(Message m, byte[] key) {
        byte[] body = m.encode(null); // no content-dependent attribute left: ice4j needs no stack
        int length = body.length + (key != null ? INTEGRITY_LENGTH : 0) + FINGERPRINT_LENGTH;
        byte[] out = java.util.Arrays.copyOf(body, length);
        int at = body.length;
        if (key != null) {
            setLength(out, at + INTEGRITY_LENGTH - HEADER);
            byte[] hmac = MessageIntegrityAttribute.calculateHmacSha1(out, 0, at, key);
            putAttributeHeader(out, at, Attribute.MESSAGE_INTEGRITY, hmac.length);
            System.arraycopy(hmac, 0, out, at + 4, hmac.length);
            at += INTEGRITY_LENGTH;
        }
        setLength(out, at + FINGERPRINT_LENGTH - HEADER);
        byte[] crc = FingerprintAttribute.calculateXorCRC32(out, 0, at);
        putAttributeHeader(out, at, Attribute.FINGERPRINT, 4);
        System.arraycopy(crc, 0, out, at + 4, 4);
        return out;
    }

    /**
     * True if {@code raw} carries a MESSAGE-INTEGRITY that {@code key} produced (RFC 8489 §14.5: the HMAC covers
     * the message up to the attribute, with the header's length counting up to its end).
     */
    static boolean signedWith(byte[] raw, byte[] key) {
        int at = HEADER;
        while (at + 4 <= raw.length) {
            int type = ((raw[at] & 0xff) << 8) | (raw[at + 1] & 0xff);
            int len = ((raw[at + 2] & 0xff) << 8) | (raw[at + 3] & 0xff);
            if (type == Attribute.MESSAGE_INTEGRITY) {
                if (len != 20 || at + INTEGRITY_LENGTH > raw.length) {
                    return false;
                }
                byte[] signed = java.util.Arrays.copyOf(raw, at);
                setLength(signed, at + INTEGRITY_LENGTH - HEADER);
                byte[] expected = MessageIntegrityAttribute.calculateHmacSha1(signed, 0, at, key);
                return MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(raw, at + 4, at + INTEGRITY_LENGTH));
            }
            at += 4 + ((len + 3) & ~3);
        }
        return false;
    }

    /** The answer of a STUN server to a Binding request {@code raw} from {@code from}; null for anything else. */
    static byte[] bindingAnswer(byte[] raw, java.net.InetSocketAddress from) {
        Message m = decode(raw);
        if (m == null || m.getMessageType() != Message.BINDING_REQUEST) {
            return null;
        }
        org.ice4j.message.Response r = org.ice4j.message.MessageFactory.createBindingResponse((org.ice4j.message.Request) m,
                new org.ice4j.TransportAddress(from.getAddress(), from.getPort(), org.ice4j.Transport.UDP));
        try {
            r.setTransactionID(m.getTransactionID());
        } catch (StunException e) {
            return null;
        }
        return encode(r, null);
    }

    /** The XOR-MAPPED-ADDRESS of {@code raw} if it is the success answer to the Binding request {@code id}; else null. */
    static java.net.InetSocketAddress mapped(byte[] raw, byte[] id) {
        Message m = decode(raw);
        if (m == null || m.getMessageType() != Message.BINDING_SUCCESS_RESPONSE
                || !java.util.Arrays.equals(id, m.getTransactionID())) {
            return null;
        }
        var a = (org.ice4j.attribute.XorMappedAddressAttribute) m.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        if (a == null) {
            return null;
        }
        var t = a.getAddress(id);
        return new java.net.InetSocketAddress(t.getAddress(), t.getPort());
    }

    static byte[] key(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    private static void setLength(byte[] message, int length) {
        message[2] = (byte) (length >> 8);
        message[3] = (byte) length;
    }

    private static void putAttributeHeader(byte[] out, int at, char type, int length) {
        out[at] = (byte) (type >> 8);
        out[at + 1] = (byte) type;
        out[at + 2] = (byte) (length >> 8);
        out[at + 3] = (byte) length;
    }
}
