package org.peerline.gateway.sip;

import javax.sip.address.Hop;
import org.peerline.overlay.api.NodeId;

/**
 * Where the proxy sends a request for a user of another box: that box's socket or the connection it opened to
 * this one ({@code through} null), or a third box that carries the call to box {@code through} because the two
 * cannot reach each other ({@code why} says how that relay was chosen).
 */
record BoxHop(Hop hop, NodeId through, String why) {
    static BoxHop direct(Hop hop) {
        return new BoxHop(hop, null, null);
    }
}
