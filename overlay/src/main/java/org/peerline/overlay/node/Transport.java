package org.peerline.overlay.node;

import java.util.List;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.PeerAddress;

/**
 * Links to neighbours (RFC 6940 §6.6): in production TLS over TCP with RELOAD's framing, each link bound
 * to the Node-ID in the peer's certificate; in the simulator, simulated links with latency and loss.
 *
 * <p>A link acknowledges every message (the framing's ack frames, §6.6.2.1). A message not acknowledged
 * in time means the neighbour is gone: the link is closed and the transport hands the messages it could
 * not deliver back to the node ({@link Listener#linkDown}), which routes them another way. That is how a
 * crashed peer is detected within a round trip or two of the first message sent to it.
 */
public interface Transport {
    /** Opens a link to the node at {@code address}; {@link Listener#linkUp} reports the authenticated peer. */
    void connect(PeerAddress address);

    /** Sends an encoded message on the link to {@code peer}; false if there is no such link. */
    boolean send(NodeId peer, byte[] message);

    /** Closes the link to {@code peer}, if any (no listener call). */
    void disconnect(NodeId peer);

    /** True if a link to {@code peer} is up. */
    boolean connected(NodeId peer);

    /** The address this node's peers reach it at. */
    PeerAddress localAddress();

    /** Closes every link and stops accepting new ones. */
    void close();

    /** What a transport reports to its node, always on the node's thread. */
    interface Listener {
        /** A link to {@code peer}, reachable at {@code address}, is up (either side opened it). */
        void linkUp(NodeId peer, PeerAddress address);

        /** The link to {@code peer} failed or was closed by the peer; {@code undelivered} were not acknowledged. */
        void linkDown(NodeId peer, List<byte[]> undelivered);

        /** A message arrived on the link to {@code from}. */
        void received(NodeId from, byte[] message);

        /** {@link Transport#connect} to {@code address} failed. */
        void connectFailed(PeerAddress address, String reason);
    }
}
