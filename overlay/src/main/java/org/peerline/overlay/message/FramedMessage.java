package org.peerline.overlay.message;

/**
 * The framing header of RELOAD's stream links (RFC 6940 §6.6.2.1, simple reliability): each message
 * travels as a {@link Data} frame with a sequence number, and the receiver answers each with an
 * {@link Ack} that also reports which of the 32 previous frames arrived.
 */
public sealed interface FramedMessage {
    int DATA = 128;
    int ACK = 129;
    /** Bytes of a data frame before the message, and of an ack frame. */
    int DATA_HEADER_BYTES = 8;
    int ACK_BYTES = 9;

    /** A frame carrying one RELOAD message. */
    record Data(long sequence, byte[] message) implements FramedMessage {
        public Data {
            if (sequence < 0 || sequence > 0xffffffffL) {
                throw new IllegalArgumentException("sequence out of uint32 range: " + sequence);
            }
            if (message.length > 0xffffff) {
                throw new IllegalArgumentException("message too long for a frame: " + message.length);
            }
        }
    }

    /** An acknowledgement: the sequence acknowledged and a bit mask of the 32 frames before it. */
    record Ack(long ackSequence, long received) implements FramedMessage {
    }

    static byte[] encode(FramedMessage f) {
        WireWriter w = new WireWriter();
        if (f instanceof Data d) {
            w.u8(DATA).u32(d.sequence()).opaque(3, d.message());
        } else if (f instanceof Ack a) {
            w.u8(ACK).u32(a.ackSequence()).u32(a.received());
        }
        return w.toByteArray();
    }

    /**
     * The length of the frame at the start of {@code buf[off, off+len)}, or -1 if more bytes are needed
     * to know it.
     */
    static int frameLength(byte[] buf, int off, int len) throws DecodeException {
        if (len < 1) {
            return -1;
        }
        int type = buf[off] & 0xff;
        if (type == ACK) {
            return ACK_BYTES;
        }
        if (type != DATA) {
            throw new DecodeException("unknown frame type " + type);
        }
        if (len < DATA_HEADER_BYTES) {
            return -1;
        }
        int msg = (buf[off + 5] & 0xff) << 16 | (buf[off + 6] & 0xff) << 8 | buf[off + 7] & 0xff;
        return DATA_HEADER_BYTES + msg;
    }

    static FramedMessage decode(byte[] frame) throws DecodeException {
        WireReader r = new WireReader(frame);
        int type = r.u8("frame type");
        FramedMessage f = switch (type) {
            case DATA -> new Data(r.u32("sequence"), r.opaque(3, "framed message"));
            case ACK -> new Ack(r.u32("ack_sequence"), r.u32("received"));
            default -> throw new DecodeException("unknown frame type " + type);
        };
        r.expectEnd("frame");
        return f;
    }
}
