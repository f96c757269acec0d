package org.peerline.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.HopImpl;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.address.Hop;
import javax.sip.header.ViaHeader;
import org.peerline.overlay.api.NodeId;

/**
 * The TLS connections other boxes opened to this one, kept as ways back to them: what RFC 5626 calls flows,
 * between boxes. A box behind a NAT without port forwarding cannot be connected to, but it can connect out
 * (asked to through the overlay, see {@link Directory#attach}); requests for it then go over the connection
 * it opened, found by its Node-ID (from its certificate) or by the address it names itself by in its Via and
 * Record-Route (its own socket, which nobody outside its LAN can reach). A flow is used only while its
 * connection is open; the stack keeps such connections under the peer's address and port, so sending there
 * reuses them.
 */
final class FederationFlows {
    /** More entries than a federation has boxes means something sends odd Vias: closed flows are then dropped. */
    private static final int PRUNE_ABOVE = 4096;

    private record Flow(String ip, int port, SocketChannel channel) {
        boolean open() {
            return channel.isOpen() && channel.isConnected();
        }

        Hop hop() {
            return new HopImpl(ip, port, "tls");
        }
    }

    private final Map<NodeId, Flow> byNode = new ConcurrentHashMap<>();
    private final Map<String, Flow> byAddress = new ConcurrentHashMap<>();

    /** Notes the connection {@code request} from {@code box} came over (from {@code src}:{@code port}). */
    void learn(FederationPeers.Peer box, SIPRequest request, InetAddress src, int port) {
        if (!(request.getMessageChannel() instanceof NioTcpMessageChannel ch) || ch.getSocketChannel() == null) {
            return;
        }
        Flow flow = new Flow(LocalEndpoints.normalize(src.getHostAddress()), port, ch.getSocketChannel());
        Flow before = byNode.put(box.nodeId(), flow);
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        if (via != null && via.getHost() != null) {
            byAddress.put(LocalEndpoints.hostPort(via.getHost(), via.getPort() <= 0 ? 5061 : via.getPort()), flow);
        }
        if (before == null && byAddress.size() > PRUNE_ABOVE) {
            byAddress.values().removeIf(f -> !f.open());
            byNode.values().removeIf(f -> !f.open());
        }
    }

    /** The open connection to box {@code node}, as a hop; null if there is none. */
    Hop toNode(NodeId node) {
        Flow f = byNode.get(node);
        return f != null && f.open() ? f.hop() : null;
    }

    /**
     * The hop to use for {@code hop}: over TLS to an address a box named itself by, its open connection to us;
     * otherwise {@code hop} itself.
     */
    Hop route(Hop hop) {
        if (!"tls".equalsIgnoreCase(hop.getTransport())) {
            return hop;
        }
        Flow f = byAddress.get(LocalEndpoints.hostPort(hop.getHost(), hop.getPort()));
        return f != null && f.open() ? f.hop() : hop;
    }
}
