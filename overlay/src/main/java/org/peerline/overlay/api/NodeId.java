package org.peerline.overlay.api;

import java.math.BigInteger;
import java.util.HexFormat;

/**
 * A 128-bit CHORD-RELOAD Node-ID (RFC 6940 §10.2), an unsigned number on a ring of size 2^128.
 * Immutable; ordered as an unsigned number.
 *
 * @param high the most significant 64 bits
 * @param low  the least significant 64 bits
 */
public record NodeId(long high, long low) implements Comparable<NodeId> {
    /** Length of a Node-ID on the wire, in bytes. */
    public static final int BYTES = 16;
    private static final BigInteger RING = BigInteger.ONE.shiftLeft(128);

    /** The Node-ID encoded in 16 big-endian bytes starting at {@code off}. */
    public static NodeId of(byte[] b, int off) {
        if (b.length - off < BYTES) {
            throw new IllegalArgumentException("a Node-ID needs 16 bytes, " + (b.length - off) + " left");
        }
        return new NodeId(longAt(b, off), longAt(b, off + 8));
    }

    /** Parses 32 hex digits. */
    public static NodeId parse(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("a Node-ID is 32 hex digits, got '" + hex + "'");
        }
        return of(HexFormat.of().parseHex(hex), 0);
    }

    /** The 16 big-endian bytes. */
    public byte[] toBytes() {
        byte[] b = new byte[BYTES];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    /** This Node-ID as a non-negative number below 2^128. */
    public BigInteger toBigInteger() {
        return new BigInteger(1, toBytes());
    }

    /** {@code (this + 2^exponent) mod 2^128}: the start of finger {@code exponent}. */
    public NodeId plusPowerOfTwo(int exponent) {
        BigInteger v = toBigInteger().add(BigInteger.ONE.shiftLeft(exponent)).mod(RING);
        byte[] raw = v.toByteArray();
        byte[] b = new byte[BYTES];
        int n = Math.min(raw.length, BYTES);
        System.arraycopy(raw, raw.length - n, b, BYTES - n, n);
        return of(b, 0);
    }

    /** True if this lies in the ring interval (from, to]: clockwise after {@code from}, up to {@code to}. */
    public boolean inHalfOpen(NodeId from, NodeId to) {
        int ft = from.compareTo(to);
        if (ft == 0) {
            return true; // the whole ring
        }
        if (ft < 0) {
            return compareTo(from) > 0 && compareTo(to) <= 0;
        }
        return compareTo(from) > 0 || compareTo(to) <= 0;
    }

    @Override
    public int compareTo(NodeId o) {
        int c = Long.compareUnsigned(high, o.high);
        return c != 0 ? c : Long.compareUnsigned(low, o.low);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(toBytes());
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}
