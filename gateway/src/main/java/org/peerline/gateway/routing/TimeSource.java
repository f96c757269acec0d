package org.peerline.gateway.routing;

/** Wall-clock milliseconds (for expiries) and monotonic nanoseconds (for rates); injectable for tests. */
public interface TimeSource {
    /** The system clocks. */
    TimeSource SYSTEM = new TimeSource() {
        @Override
        public long millis() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanos() {
            return System.nanoTime();
        }
    };

    /** Epoch milliseconds. */
    long millis();

    /** Monotonic nanoseconds with an arbitrary origin. */
    long nanos();
}
