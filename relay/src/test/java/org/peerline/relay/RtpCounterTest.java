package org.peerline.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Loss and jitter of one stream, RFC 3550 A.1 and A.8. */
class RtpCounterTest {
    private static ByteBuf rtp(int seq, long timestamp) {
        ByteBuf b = Unpooled.buffer(172);
        b.writeByte(0x80).writeByte(0).writeShort(seq).writeInt((int) timestamp).writeInt(42).writeZero(160);
        return b;
    }

    @Test
    void steadyPacketsAfterMonthsOfUptimeShowNoJitterAndLossAcrossTheWrap() {
        RtpCounter c = new RtpCounter(8000);
        long start = 90L * 24 * 3600 * 1_000_000_000L; // nanoTime 90 days after boot: * 8000 would overflow a long
        int seq = 65530;
        for (int i = 0; i < 20; i++) {
            if (i != 10) { // one packet lost, after the sequence number wrapped
                c.count(rtp(seq & 0xffff, 1000 + i * 160L), true, start + i * 20_000_000L);
            }
            seq++;
        }
        RtpCounter.Stats s = c.snapshot(0);
        assertEquals(19, s.packets());
        assertEquals(1, s.lost());
        assertTrue(s.jitterMillis() < 0.01, "packets exactly 20 ms apart have no jitter: " + s.jitterMillis());
    }

    @Test
    void lateArrivalsShowAsJitter() {
        RtpCounter c = new RtpCounter(8000);
        for (int i = 0; i < 50; i++) {
            long late = i % 2 == 0 ? 0 : 10_000_000L; // every other packet 10 ms late
            c.count(rtp(i, i * 160L), true, i * 20_000_000L + late);
        }
        double j = c.snapshot(0).jitterMillis();
        assertTrue(j > 5 && j < 11, "RFC 3550's estimate converges to about the 10 ms swing: " + j);
    }
}
