package org.peerline.gateway.sip;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** This machine's own addresses, as the system would use them. */
public final class LocalAddress {
    /** A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, only picks a route. */
    private static final String ANYWHERE = "192.0.2.1";

    private LocalAddress() {
    }

    /**
     * The address the system sends from towards {@code destIp} (connecting a UDP socket sends nothing, it only
     * picks the route); null when there is no route or {@code destIp} is not an address.
     */
    public static String towards(String destIp) {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(InetAddress.getByName(destIp), 9));
            InetAddress local = probe.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? null : local.getHostAddress();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The box's own address for {@code relay.address: auto}, where its phones reach it: the first SIP listening
     * address that is not a wildcard (loopback included: a box that listens only there serves phones on the same
     * machine); when SIP listens on the wildcard, the address the system sends from towards its default route;
     * without one, 127.0.0.1.
     */
    public static String forMedia(SipSettings sip) {
        for (ListenAddress l : sip.listen()) {
            try {
                InetAddress a = InetAddress.getByName(l.host());
                if (!a.isAnyLocalAddress()) {
                    return a.getHostAddress();
                }
            } catch (IOException e) {
                // a name that does not resolve: not an address to offer
            }
        }
        String routed = towards(ANYWHERE);
        return routed != null ? routed : "127.0.0.1";
    }
}
