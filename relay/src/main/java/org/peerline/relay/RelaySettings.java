package org.peerline.relay;

import java.time.Duration;

/**
 * Where the relay takes its ports, which addresses it advertises, and when it gives ports back.
 *
 * <p>A box has a LAN side (its phones) and may have a WAN side (the other boxes of the federation). SDP sent
 * towards phones carries {@code address}; SDP sent towards other boxes carries {@code wanAddress}: the box's own
 * address on a second interface, or the public address of a router that forwards the relay's port range to the
 * box one to one. With a WAN address the sockets bind to the wildcard address, so that the kernel sends each
 * packet from the interface that faces its destination; without one, to {@code address}.
 *
 * @param address     the IP advertised to phones (and, without a WAN address, to boxes)
 * @param wanAddress  the IP advertised to other boxes; equal to {@code address} when the box has one side
 * @param portMin     first port of the pool (even: RTP on even ports, RTCP on the odd one above)
 * @param portMax     last port of the pool
 * @param idleTimeout a call that forwards nothing for this long is closed and its ports freed
 * @param ice         legs that face another box find their path with ICE ({@link IceAgent})
 * @param stunPort    the UDP port of the STUN server a box that others can connect to runs for them (0: none)
 */
public record RelaySettings(String address, String wanAddress, int portMin, int portMax, Duration idleTimeout,
                            boolean ice, int stunPort) {
    /** The STUN port of RFC 8489 §9. */
    public static final int DEFAULT_STUN_PORT = 3478;

    /** A relay with one side: phones and boxes reach it at {@code address}. */
    public RelaySettings(String address, int portMin, int portMax, Duration idleTimeout) {
        this(address, address, portMin, portMax, idleTimeout);
    }

    /** With ICE, and a STUN server on the default port. */
    public RelaySettings(String address, String wanAddress, int portMin, int portMax, Duration idleTimeout) {
        this(address, wanAddress, portMin, portMax, idleTimeout, true, DEFAULT_STUN_PORT);
    }

    public RelaySettings {
        if (wanAddress == null) {
            wanAddress = address;
        }
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
        if (stunPort < 0 || stunPort > 65535) {
            throw new IllegalArgumentException("the STUN port must be 0 (none) or 1-65535, got " + stunPort);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("relay idle timeout must be positive: " + idleTimeout);
        }
    }

    /** The address the relay's sockets bind to: the wildcard when the box has two sides, else {@link #address()}. */
    public String bindAddress() {
        return twoSided() ? (wanAddress.contains(":") ? "::" : "0.0.0.0") : address;
    }

    /** The box advertises another address to boxes than to phones. */
    public boolean twoSided() {
        return !wanAddress.equals(address);
    }

    /** The address SDP carries towards a phone ({@code wan} false) or towards another box. */
    public String advertised(boolean wan) {
        return wan ? wanAddress : address;
    }

    /** How many call legs the pool can hold at once (one RTP/RTCP pair each). */
    public int legCapacity() {
        return (portMax - portMin + 1) / 2;
    }
}
