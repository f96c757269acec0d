package org.peerline.overlay.message;

import java.util.Arrays;

/** Writes big-endian, length-prefixed RFC 6940 structures into a growing buffer. Not thread-safe. */
final class WireWriter {
    private byte[] buf = new byte[256];
    private int len;

    int size() {
        return len;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    WireWriter u8(int v) {
        check(v, 0xff, "uint8");
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    WireWriter u16(int v) {
        check(v, 0xffff, "uint16");
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    WireWriter u24(int v) {
        check(v, 0xffffff, "uint24");
        ensure(3);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    WireWriter u32(long v) {
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException("uint32 out of range: " + v);
        }
        ensure(4);
        for (int s = 24; s >= 0; s -= 8) {
            buf[len++] = (byte) (v >>> s);
        }
        return this;
    }

    WireWriter u64(long v) {
        ensure(8);
        for (int s = 56; s >= 0; s -= 8) {
            buf[len++] = (byte) (v >>> s);
        }
        return this;
    }

    WireWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /** {@code opaque x<0..2^(8*lengthBytes)-1>}. */
    WireWriter opaque(int lengthBytes, byte[] b) {
        switch (lengthBytes) {
            case 1 -> u8(b.length);
            case 2 -> u16(b.length);
            case 3 -> u24(b.length);
            case 4 -> u32(b.length);
            default -> throw new IllegalArgumentException("length prefix of " + lengthBytes + " bytes");
        }
        return bytes(b);
    }

    /** Overwrites a uint16 written earlier at {@code at} (a length known only afterwards). */
    void patchU16(int at, int v) {
        check(v, 0xffff, "uint16");
        buf[at] = (byte) (v >>> 8);
        buf[at + 1] = (byte) v;
    }

    void patchU32(int at, long v) {
        for (int i = 0; i < 4; i++) {
            buf[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private static void check(int v, int max, String type) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(type + " out of range: " + v);
        }
    }
}
