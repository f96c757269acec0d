package org.peerline.gateway.sip;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import java.net.DatagramPacket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue between the UDP socket reader and the SIP workers. The stack's own queue is unbounded and
 * holds each datagram in a buffer of the largest message size (64 KiB): a burst the workers cannot keep
 * up with (a flood, or the first seconds after start while the JIT warms up) grew it until the heap ran
 * out and the box stopped answering. Here a datagram is kept in an array of its own length, and beyond
 * {@link #CAPACITY} waiting datagrams new ones are dropped, as the kernel drops them when a socket
 * buffer is full: the sender retransmits, and what is queued is answered within a bounded time.
 * Drops are counted and logged at most every 10 seconds.
 */
final class SheddingQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {
    /** Datagrams that may wait: about half a second of work at full load. */
    static final int CAPACITY = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(SheddingQueue.class);
    private static final long serialVersionUID = 1L;
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String socket;
    private final transient AtomicLong dropped = new AtomicLong();
    private final transient AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_NANOS);

    SheddingQueue(int capacity, String socket) {
        super(capacity);
        this.socket = socket;
    }

    @Override
    public boolean offer(DatagramQueuedMessageDispatch d) {
        DatagramPacket p = d.packet;
        if (p.getOffset() == 0 && p.getData().length > p.getLength()) {
            p.setData(Arrays.copyOf(p.getData(), p.getLength()));
        }
        if (super.offer(d)) {
            return true;
        }
        long n = dropped.incrementAndGet();
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last >= REPORT_NANOS && lastReport.compareAndSet(last, now)) {
            LOG.warn("SIP overload on udp:{}: {} datagrams waiting, {} dropped so far", socket, size(), n);
        }
        return false;
    }

    /** Datagrams dropped since start. */
    long dropped() {
        return dropped.get();
    }
}
