package org.peerline.overlay.node;

/**
 * The clock and timers a node runs on. All of a node's work happens on one thread (or, in the simulator,
 * in virtual time), so the protocol logic needs no locks and replays deterministically from a seed.
 */
public interface Scheduler {
    /** Milliseconds on this scheduler's clock (wall clock in production, virtual time in the simulator). */
    long now();

    /** Runs {@code task} on the node's thread after {@code delayMillis}; the handle cancels it. */
    Timer after(long delayMillis, Runnable task);

    /** Runs {@code task} on the node's thread as soon as possible. */
    default void execute(Runnable task) {
        after(0, task);
    }

    /** A scheduled task that can still be cancelled. */
    interface Timer {
        void cancel();
    }
}
