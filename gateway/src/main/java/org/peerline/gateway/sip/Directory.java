package org.peerline.gateway.sip;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.peerline.overlay.api.NodeId;

/**
 * Where the federation's users are, as the proxy asks for them: the overlay in the daemon. Lookups complete
 * on another thread and never block the caller.
 */
public interface Directory {
    /**
     * A box serving an AOR: its Node-ID and the SIP URI it takes requests at, such as
     * {@code sip:192.0.2.20:5061;transport=tls}; {@code uri} null when the box cannot be connected to (a NAT
     * without port forwarding) and is reached by asking it to connect ({@link #attach}).
     */
    record Box(NodeId node, String uri) {
    }

    /** The other boxes serving {@code aor} ({@code sip:user@domain}); empty when no box serves it. */
    CompletableFuture<List<Box>> boxesFor(String aor);

    /**
     * The AORs that claim the federation-wide extension {@code extension}: none, one, or several when sites
     * claim the same number (a conflict the caller must not resolve by guessing).
     */
    CompletableFuture<List<String>> extension(String extension);

    /**
     * A third box that carries a call between two boxes that cannot reach each other (its SIP and its relay, the
     * WAN leg's media), and why it was chosen.
     */
    record Relay(NodeId node, String uri, String why) {
    }

    /** The relay box of least cost for a call between this box and box {@code target}; null when none qualifies. */
    CompletableFuture<Relay> relayFor(NodeId target);

    /**
     * Asks box {@code node}, through the overlay (RFC 6940 AppAttach), to open a SIP-over-TLS connection to this
     * box; completes with true once it has (its first request arrived over it), false if it could not.
     */
    CompletableFuture<Boolean> attach(NodeId node);
}
