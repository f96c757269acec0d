package org.peerline.relay;

import io.netty.buffer.ByteBuf;

/**
 * What one phone sent into the relay on one leg: packets and bytes, and for RTP the loss estimated from
 * sequence numbers (RFC 3550 A.1, simplified: no probation) and the interarrival jitter (RFC 3550 A.8).
 * Touched only by the call's event-loop thread; readers on other threads see values at most a packet old.
 */
final class RtpCounter {
    private static final int MAX_DROPOUT = 3000;
    private final int clockRate;
    private long packets;
    private long bytes;
    private long rtpPackets;
    private boolean started;
    /** Arrival of the first RTP packet: arrivals are counted from it, since nanoTime * clock rate overflows. */
    private long firstArrivalNanos;
    private int baseSeq;
    private int maxSeq;
    private long cycles;
    private boolean haveTransit;
    private long lastTransit;
    private double jitter;

    RtpCounter(int clockRate) {
        this.clockRate = clockRate;
    }

    /** Counts a packet of {@code buf}'s readable bytes; RTP (version 2, 12+ bytes) also feeds loss and jitter. */
    void count(ByteBuf buf, boolean rtp, long arrivalNanos) {
        int len = buf.readableBytes();
        packets++;
        bytes += len;
        if (!rtp || len < 12 || (buf.getUnsignedByte(buf.readerIndex()) >> 6) != 2) {
            return;
        }
        int i = buf.readerIndex();
        int seq = buf.getUnsignedShort(i + 2);
        long timestamp = buf.getUnsignedInt(i + 4);
        rtpPackets++;
        if (!started) {
            started = true;
            firstArrivalNanos = arrivalNanos;
            baseSeq = seq;
            maxSeq = seq;
        } else {
            int delta = (seq - maxSeq) & 0xffff;
            if (delta > 0 && delta < MAX_DROPOUT) {
                if (seq < maxSeq) {
                    cycles += 1 << 16;
                }
                maxSeq = seq;
            }
        }
        long arrival = (arrivalNanos - firstArrivalNanos) * clockRate / 1_000_000_000L;
        long transit = arrival - timestamp;
        if (haveTransit) {
            long d = Math.abs(transit - lastTransit);
            if (d < clockRate * 10L) { // a jump of more than 10 s is a new stream (re-INVITE), not jitter
                jitter += (d - jitter) / 16.0;
            }
        }
        lastTransit = transit;
        haveTransit = true;
    }

    Stats snapshot(long rejected) {
        long expected = started ? cycles + maxSeq - baseSeq + 1 : 0;
        long lost = Math.max(0, expected - rtpPackets);
        return new Stats(packets, bytes, lost, jitter * 1000.0 / clockRate, rejected);
    }

    /**
     * Counters of one leg, what its phone sent.
     *
     * @param packets      RTP and RTCP packets accepted from the phone
     * @param bytes        their UDP payload bytes
     * @param lost         RTP packets missing by sequence number
     * @param jitterMillis RTP interarrival jitter (RFC 3550 A.8), in milliseconds
     * @param rejected     packets dropped because they came from an address other than the phone's
     */
    public record Stats(long packets, long bytes, long lost, double jitterMillis, long rejected) {
    }
}
