package org.peerline.overlay.topology;

import java.math.BigInteger;
import org.peerline.overlay.api.NodeId;

/** Arithmetic on the 2^128 ring, without allocation in the routing hot path. */
public final class Ring {
    private Ring() {
    }

    /** The clockwise distance from {@code from} to {@code to}, as an unsigned 128-bit number. */
    public static NodeId distance(NodeId from, NodeId to) {
        long low = to.low() - from.low();
        long borrow = Long.compareUnsigned(to.low(), from.low()) < 0 ? 1 : 0;
        return new NodeId(to.high() - from.high() - borrow, low);
    }

    /** True if {@code x} lies strictly between {@code from} and {@code to} going clockwise. */
    public static boolean between(NodeId x, NodeId from, NodeId to) {
        return !x.equals(to) && !x.equals(from) && x.inHalfOpen(from, to);
    }

    /** The fraction of the ring in (from, to], in parts per billion. */
    public static long partsPerBillion(NodeId from, NodeId to) {
        NodeId d = from.equals(to) ? null : distance(from, to);
        if (d == null) {
            return 1_000_000_000L;
        }
        return d.toBigInteger().multiply(BigInteger.valueOf(1_000_000_000L)).shiftRight(128).longValueExact();
    }
}
