package org.peerline.gateway.sip;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import java.net.DatagramPacket;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue between the UDP socket reader and the SIP workers, and the box's overload control.
 *
 * <p>The stack's own queue is unbounded and holds each datagram in a buffer of the largest message size
 * (64 KiB): a burst the workers could not keep up with grew it until the heap ran out. Here a datagram
 * is kept in an array of its own length, and the queue is bounded.
 *
 * <p>Under overload, work that finishes calls goes first: responses, ACK, BYE, CANCEL and PRACK wait in an
 * urgent lane that workers empty before the other, and have the whole {@link #CAPACITY}; new work
 * (INVITE, REGISTER, OPTIONS, ...) is admitted only while fewer than {@link #NEW_WORK_LIMIT} new
 * requests wait, and one that has waited more than {@link #STALE_MILLIS} when its turn comes is dropped,
 * so that what is worked on is answered before the sender's retransmission timer (T1, 500 ms) fires.
 * Without this, a box pushed past its capacity spent it on retransmissions of requests it was too late
 * for, and completed fewer and fewer calls. Dropped datagrams cost nothing to parse; their senders
 * retransmit. Drops are counted and logged at most every 10 seconds.
 *
 * <p>Only {@code offer}, {@code poll}, {@code take} and {@code size} are used by the stack and supported
 * here; the inherited queue stays empty.
 */
final class SheddingQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {
    /** Datagrams that may wait in all. */
    static final int CAPACITY = 4096;
    /** New requests that may wait. */
    static final int NEW_WORK_LIMIT = 2048;
    /**
     * A new request that waited longer is dropped unparsed when its turn comes: its sender's first
     * retransmission (T1 = 500 ms) is on its way, and answering both would double the work.
     */
    static final long STALE_MILLIS = 300;
    private static final Logger LOG = LoggerFactory.getLogger(SheddingQueue.class);
    private static final long serialVersionUID = 1L;
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String socket;
    private final int capacity;
    private final int newWorkLimit;
    private final transient ConcurrentLinkedQueue<DatagramQueuedMessageDispatch> urgent = new ConcurrentLinkedQueue<>();
    private final transient ConcurrentLinkedQueue<DatagramQueuedMessageDispatch> fresh = new ConcurrentLinkedQueue<>();
    private final transient AtomicInteger waiting = new AtomicInteger();
    private final transient AtomicInteger waitingFresh = new AtomicInteger();
    private final transient Semaphore available = new Semaphore(0);
    private final transient AtomicLong dropped = new AtomicLong();
    private final transient AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_NANOS);

    SheddingQueue(int capacity, int newWorkLimit, String socket) {
        this.capacity = capacity;
        this.newWorkLimit = newWorkLimit;
        this.socket = socket;
    }

    @Override
    public boolean offer(DatagramQueuedMessageDispatch d) {
        DatagramPacket p = d.packet;
        if (p.getOffset() == 0 && p.getData().length > p.getLength()) {
            p.setData(Arrays.copyOf(p.getData(), p.getLength()));
        }
        boolean finishing = finishesWork(p.getData(), p.getLength());
        if (waiting.get() >= capacity || !finishing && waitingFresh.get() >= newWorkLimit) {
            drop();
            return false;
        }
        waiting.incrementAndGet();
        if (finishing) {
            urgent.add(d);
        } else {
            waitingFresh.incrementAndGet();
            fresh.add(d);
        }
        available.release();
        return true;
    }

    @Override
    public DatagramQueuedMessageDispatch take() throws InterruptedException {
        while (true) {
            available.acquire();
            DatagramQueuedMessageDispatch d = next(System.currentTimeMillis());
            if (d != null) {
                return d;
            }
        }
    }

    @Override
    public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (available.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            DatagramQueuedMessageDispatch d = next(System.currentTimeMillis());
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    @Override
    public DatagramQueuedMessageDispatch poll() {
        while (available.tryAcquire()) {
            DatagramQueuedMessageDispatch d = next(System.currentTimeMillis());
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    @Override
    public int size() {
        return waiting.get();
    }

    /** Datagrams dropped since start. */
    long dropped() {
        return dropped.get();
    }

    /** The next datagram to work on, or null if the one taken was a new request that waited too long. */
    private DatagramQueuedMessageDispatch next(long nowMillis) {
        DatagramQueuedMessageDispatch d = urgent.poll();
        waiting.decrementAndGet();
        if (d != null) {
            return d;
        }
        d = fresh.poll();
        waitingFresh.decrementAndGet();
        if (nowMillis - d.getReceptionTime() > STALE_MILLIS) {
            drop();
            return null;
        }
        return d;
    }

    private void drop() {
        long n = dropped.incrementAndGet();
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last >= REPORT_NANOS && lastReport.compareAndSet(last, now)) {
            LOG.warn("SIP overload on udp:{}: {} datagrams waiting ({} new requests), {} dropped so far", socket,
                    waiting.get(), waitingFresh.get(), n);
        }
    }

    /** Responses and the requests that end or confirm calls, recognised by their first bytes. */
    static boolean finishesWork(byte[] b, int len) {
        return startsWith(b, len, "SIP/2.0 ") || startsWith(b, len, "ACK ") || startsWith(b, len, "BYE ")
                || startsWith(b, len, "CANCEL ") || startsWith(b, len, "PRACK ");
    }

    private static boolean startsWith(byte[] b, int len, String s) {
        if (len < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
