package org.peerline.provisioning.store;

import java.util.concurrent.TimeUnit;

/**
 * Decides when the lookup path should ask SQLite whether another process changed the database:
 * <ul>
 *   <li>on any lookup, at most every {@code periodNanos};</li>
 *   <li>on a lookup that misses, at once, within a budget of one check per {@code missNanos} on average with bursts
 *       of up to {@code missBurst} checks (a token bucket, kept as one "theoretical arrival time" as in GCRA). A user
 *       just added by the CLI can register at once even if a call to an extension (a miss by name) checked a moment
 *       earlier, while a scanner probing random names gets at most one check per {@code missNanos}.</li>
 * </ul>
 * Times are {@link System#nanoTime()}-style readings passed in by the caller and compared by subtraction, so they
 * may wrap. Reads are lock-free; updates are made by the one thread that holds the store's lock.
 */
final class RefreshPolicy {
    static final long DEFAULT_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long DEFAULT_MISS_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final int DEFAULT_MISS_BURST = 4;

    private final long periodNanos;
    private final long missNanos;
    /** How far ahead of now the bucket's theoretical arrival time may run while checks are still allowed. */
    private final long missTolerance;
    private volatile long lastCheck;
    /** When the bucket would be full again if no more misses checked; a miss may check while now >= it - tolerance. */
    private volatile long missArrival;

    /** Creates a policy whose last check was at {@code now} (the initial load), with a full miss budget. */
    RefreshPolicy(long periodNanos, long missNanos, int missBurst, long now) {
        if (missBurst < 1) {
            throw new IllegalArgumentException("missBurst < 1: " + missBurst);
        }
        this.periodNanos = periodNanos;
        this.missNanos = missNanos;
        this.missTolerance = (missBurst - 1) * missNanos;
        this.lastCheck = now;
        this.missArrival = now;
    }

    /** Returns whether the periodic check is due at {@code now}. */
    boolean periodicDue(long now) {
        return now - lastCheck >= periodNanos;
    }

    /** Returns whether a lookup that missed at {@code now} may check. */
    boolean missCheckAllowed(long now) {
        return now - (missArrival - missTolerance) >= 0;
    }

    /** Records a check made at {@code now}; {@code miss} tells whether a miss triggered it (and uses its budget). */
    void checked(long now, boolean miss) {
        lastCheck = now;
        if (miss) {
            long arrival = missArrival;
            missArrival = (now - arrival > 0 ? now : arrival) + missNanos;
        }
    }
}
