package org.peerline.relay;

import java.util.BitSet;

/**
 * The relay's UDP ports, handed out in RTP/RTCP pairs (an even port and the odd one above it) and taken back
 * when a leg closes. Allocation goes round the range instead of reusing the port just freed, so a late packet
 * of an ended call does not land in a new one. Thread-safe.
 */
final class PortPool {
    private final int min;
    private final int pairs;
    private final BitSet used;
    private int next;
    private int inUse;

    PortPool(int min, int max) {
        this.min = min;
        this.pairs = (max - min + 1) / 2;
        this.used = new BitSet(pairs);
    }

    /** The even (RTP) port of a free pair, now taken; -1 when every pair is in use. */
    synchronized int take() {
        for (int i = 0; i < pairs; i++) {
            int p = (next + i) % pairs;
            if (!used.get(p)) {
                used.set(p);
                next = (p + 1) % pairs;
                inUse++;
                return min + 2 * p;
            }
        }
        return -1;
    }

    /** Gives back the pair whose RTP port is {@code rtpPort}; giving back a free pair does nothing. */
    synchronized void give(int rtpPort) {
        int p = (rtpPort - min) / 2;
        if (p >= 0 && p < pairs && used.get(p)) {
            used.clear(p);
            inUse--;
        }
    }

    /** Pairs (call legs) in use now. */
    synchronized int inUse() {
        return inUse;
    }
}
