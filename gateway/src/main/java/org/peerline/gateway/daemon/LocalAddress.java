package org.peerline.gateway.daemon;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.peerline.gateway.sip.ListenAddress;
import org.peerline.gateway.sip.SipSettings;

/**
 * The box's own address for {@code relay.address: auto}, where its phones reach it: the first SIP listening
 * address that is not a wildcard (loopback included: a box that listens only there serves phones on the same
 * machine); when SIP listens on the wildcard, the address the system sends from towards its default route;
 * without one, 127.0.0.1.
 */
final class LocalAddress {
    /** A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, only picks a route. */
    private static final String ANYWHERE = "192.0.2.1";

    private LocalAddress() {
    }

    static String outbound(SipSettings sip) {
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
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(ANYWHERE, 9));
            InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        } catch (IOException | RuntimeException e) {
            // no route anywhere
        }
        return "127.0.0.1";
    }
}
