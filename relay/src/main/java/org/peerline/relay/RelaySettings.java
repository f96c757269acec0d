package org.peerline.relay;

import java.time.Duration;

/**
 * Where the relay takes its ports and when it gives them back.
 *
 * @param address     the local IP the relay's sockets bind to and that SDP advertises
 * @param portMin     first port of the pool (even: RTP on even ports, RTCP on the odd one above)
 * @param portMax     last port of the pool
 * @param idleTimeout a call that forwards nothing for this long is closed and its ports freed
 */
public record RelaySettings(String address, int portMin, int portMax, Duration idleTimeout) {
    public RelaySettings {
        if (portMin < 1024 || portMax > 65535 || portMin > portMax) {
            throw new IllegalArgumentException("relay ports must be a range within 1024-65535, got " + portMin + "-" + portMax);
        }
        if (portMin % 2 != 0) {
            throw new IllegalArgumentException("the relay's first port must be even (RTP even, RTCP odd): " + portMin);
        }
        if (portMax - portMin + 1 < 4) {
            throw new IllegalArgumentException("the relay needs at least 4 ports (one call leg pair each side): "
                    + portMin + "-" + portMax);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("relay idle timeout must be positive: " + idleTimeout);
        }
    }

    /** How many call legs the pool can hold at once (one RTP/RTCP pair each). */
    public int legCapacity() {
        return (portMax - portMin + 1) / 2;
    }
}
