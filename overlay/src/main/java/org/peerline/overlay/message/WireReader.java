package org.peerline.overlay.message;

/**
 * Reads the big-endian, length-prefixed structures of RFC 6940 (TLS presentation language, RFC 5246
 * §4) from a byte array, checking every length against what is left. Not thread-safe.
 */
final class WireReader {
    private final byte[] buf;
    private int pos;
    private final int end;

    WireReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    WireReader(byte[] buf, int off, int len) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n, String what) throws DecodeException {
        if (n < 0 || n > end - pos) {
            throw new DecodeException(what + ": needs " + n + " bytes at offset " + pos + ", " + (end - pos) + " left");
        }
    }

    int u8(String what) throws DecodeException {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    int u16(String what) throws DecodeException {
        need(2, what);
        int v = (buf[pos] & 0xff) << 8 | buf[pos + 1] & 0xff;
        pos += 2;
        return v;
    }

    int u24(String what) throws DecodeException {
        need(3, what);
        int v = (buf[pos] & 0xff) << 16 | (buf[pos + 1] & 0xff) << 8 | buf[pos + 2] & 0xff;
        pos += 3;
        return v;
    }

    long u32(String what) throws DecodeException {
        need(4, what);
        long v = ((long) (buf[pos] & 0xff) << 24) | (buf[pos + 1] & 0xff) << 16 | (buf[pos + 2] & 0xff) << 8
                | buf[pos + 3] & 0xff;
        pos += 4;
        return v;
    }

    long u64(String what) throws DecodeException {
        long hi = u32(what);
        long lo = u32(what);
        return hi << 32 | lo;
    }

    byte[] bytes(int n, String what) throws DecodeException {
        need(n, what);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    /** {@code opaque x<0..2^(8*lengthBytes)-1>}: a length of {@code lengthBytes} bytes, then that many bytes. */
    byte[] opaque(int lengthBytes, String what) throws DecodeException {
        long n = switch (lengthBytes) {
            case 1 -> u8(what + " length");
            case 2 -> u16(what + " length");
            case 3 -> u24(what + " length");
            case 4 -> u32(what + " length");
            default -> throw new IllegalArgumentException("length prefix of " + lengthBytes + " bytes");
        };
        if (n > remaining()) {
            throw new DecodeException(what + ": length " + n + " at offset " + pos + " exceeds the " + remaining()
                    + " bytes left");
        }
        return bytes((int) n, what);
    }

    /** A reader over the next {@code n} bytes, which this reader skips. */
    WireReader sub(int n, String what) throws DecodeException {
        need(n, what);
        WireReader r = new WireReader(buf, pos, n);
        pos += n;
        return r;
    }

    void expectEnd(String what) throws DecodeException {
        if (pos != end) {
            throw new DecodeException(what + ": " + (end - pos) + " unexpected bytes at offset " + pos);
        }
    }
}
