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
    private final long openedNanos;
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
        this.openedNanos = nowNanos;
    }

    /**
     * What went wrong with this call's media, for the log line that ends it (one-way audio is debugged from it);
     * null when both sides sent and nothing was dropped. A call that sent nothing either way and lasted under
     * {@code answerNanos} was most likely never answered: not a media problem.
     */
    public String problem(long nowNanos, long answerNanos) {
        RtpCounter.Stats sa = a.stats();
        RtpCounter.Stats sb = b.stats();
        java.util.List<String> p = new java.util.ArrayList<>();
        if (sa.packets() == 0 && sb.packets() == 0) {
            if (nowNanos - openedNanos < answerNanos) {
                return null;
            }
            p.add("no media from either side");
        } else if (sa.packets() == 0) {
            p.add("no media from the caller's side (one-way audio)");
        } else if (sb.packets() == 0) {
            p.add("no media from the callee's side (one-way audio)");
        }
        if (sa.rejected() + sb.rejected() > 0) {
            p.add((sa.rejected() + sb.rejected()) + " packets dropped for coming from another IP than the"
                    + " signalling's (caller's side " + sa.rejected() + ", callee's " + sb.rejected() + ")");
        }
        if (a.undeliverable() + b.undeliverable() > 0) {
            p.add((a.undeliverable() + b.undeliverable()) + " packets had nowhere to go yet");
        }
        return p.isEmpty() ? null : String.join("; ", p);
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
