package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for what the overlay does in its own time (joins, stores), with a bound and a message. */
final class Wait {
    private Wait() {
    }

    /** Polls {@code done} every 200 ms; fails with "{@code what} within N s" if it is not true in time. */
    static void within(Duration limit, String what, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, what + " within " + limit.toSeconds() + " s");
            Thread.sleep(200);
        }
    }
}
