package org.peerline.gateway.routing;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-source-address defence against scanners and password guessing: a token bucket limits the
 * request rate of each address, and an address that fails authentication too often within a window
 * is blocked for a while. Thread-safe; time (nanoseconds, any origin) is passed in.
 */
public final class SourceGuard {
    /** What to do with a request from a source. */
    public enum Decision { ALLOW, RATE_LIMITED, BLOCKED }

    private static final int MAX_TRACKED = 200_000;

    private final double ratePerNano;
    private final double burst;
    private final int maxFailures;
    private final long windowNanos;
    private final long blockNanos;
    private final ConcurrentHashMap<String, State> sources = new ConcurrentHashMap<>();

    /**
     * @param ratePerSecond steady requests per second per source; 0 disables rate limiting
     * @param burst         extra requests allowed at once
     * @param maxFailures   failed authentications within {@code windowNanos} that block; 0 disables blocking
     */
    public SourceGuard(int ratePerSecond, int burst, int maxFailures, long windowNanos, long blockNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = Math.max(1, burst + ratePerSecond);
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
        this.blockNanos = blockNanos;
    }

    /** True when neither limit is configured: the guard then keeps no state at all. */
    public boolean disabled() {
        return ratePerNano == 0 && maxFailures == 0;
    }

    /** Decides on one request from {@code source} (an IP address literal). */
    public Decision admit(String source, long now) {
        if (disabled()) {
            return Decision.ALLOW;
        }
        State s = state(source, now);
        synchronized (s) {
            s.lastSeen = now;
            if (s.blockedUntil - now > 0) {
                return Decision.BLOCKED;
            }
            if (ratePerNano == 0) {
                return Decision.ALLOW;
            }
            s.tokens = Math.min(burst, s.tokens + (now - s.refilled) * ratePerNano);
            s.refilled = now;
            if (s.tokens < 1) {
                return Decision.RATE_LIMITED;
            }
            s.tokens -= 1;
            return Decision.ALLOW;
        }
    }

    /** Records a failed authentication; returns true if this failure blocked the source. */
    public boolean authFailed(String source, long now) {
        if (maxFailures == 0) {
            return false;
        }
        State s = state(source, now);
        synchronized (s) {
            if (now - s.windowStart > windowNanos) {
                s.windowStart = now;
                s.failures = 0;
            }
            s.failures++;
            if (s.failures >= maxFailures && s.blockedUntil - now <= 0) {
                s.blockedUntil = now + blockNanos;
                s.failures = 0;
                return true;
            }
            return false;
        }
    }

    /** Drops state for sources idle longer than the window and the block time. */
    public void sweep(long now) {
        long idle = Math.max(windowNanos, blockNanos) + 1_000_000_000L;
        sources.values().removeIf(s -> {
            synchronized (s) {
                return now - s.lastSeen > idle && s.blockedUntil - now <= 0;
            }
        });
    }

    /** Number of sources currently tracked (for metrics and tests). */
    public int tracked() {
        return sources.size();
    }

    private State state(String source, long now) {
        State s = sources.get(source);
        if (s == null) {
            if (sources.size() >= MAX_TRACKED) {
                sweep(now);
            }
            s = sources.computeIfAbsent(source, k -> new State(now, burst));
        }
        return s;
    }

    private static final class State {
        double tokens;
        long refilled;
        long lastSeen;
        long windowStart;
        int failures;
        long blockedUntil;

        State(long now, double tokens) {
            this.tokens = tokens;
            this.refilled = now;
            this.lastSeen = now;
            this.windowStart = now;
            this.blockedUntil = now;
        }
    }
}
