package org.peerline.relay;

/**
 * A call relayed by this box: leg {@link #a()} faces one party (the caller's phone or the other site's relay)
 * and leg {@link #b()} the other; what comes in on one goes out on the other. Closed by {@link #close()}
 * (BYE, CANCEL, a failed call) or by the relay when it has been idle for the configured time.
 */
public final class RelayCall implements AutoCloseable {
    private final MediaRelay relay;
    private final String id;
    final Leg a;
    final Leg b;
    private volatile long lastPacketNanos;
    private volatile boolean closed;

    RelayCall(MediaRelay relay, String id, int portA, int portB, int clockRate, long nowNanos) {
        this.relay = relay;
        this.id = id;
        this.a = new Leg(this, portA, clockRate);
        this.b = new Leg(this, portB, clockRate);
        a.other = b;
        b.other = a;
        this.lastPacketNanos = nowNanos;
    }

    /** The caller's side. */
    public Leg a() {
        return a;
    }

    /** The callee's side. */
    public Leg b() {
        return b;
    }

    /** The call's identity in logs and the admin API (the SIP Call-ID, usually). */
    public String id() {
        return id;
    }

    public boolean closed() {
        return closed;
    }

    void touched(long nanos) {
        lastPacketNanos = nanos;
    }

    long idleNanos(long nowNanos) {
        return nowNanos - lastPacketNanos;
    }

    /** Marks the call closed; true the first time only. */
    boolean markClosed() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    /** Closes the call's sockets and gives its ports back. Idempotent. */
    @Override
    public void close() {
        relay.close(this, "closed");
    }
}
