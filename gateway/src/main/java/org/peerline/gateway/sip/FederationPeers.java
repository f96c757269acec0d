package org.peerline.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.NioTlsMessageChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.security.Credentials;

/**
 * Who sent a request over the federation's TLS socket. The handshake has already checked that the peer's
 * certificate comes from the federation's CA (both ways, see {@link FederationTls}); this reads which box it
 * names: its Node-ID and the SIP domains it serves.
 */
final class FederationPeers {
    /** A box of the federation, as its certificate names it. */
    record Peer(NodeId nodeId, List<String> domains) {
        @Override
        public String toString() {
            return "box " + nodeId + " " + domains;
        }
    }

    private final SipEdge.Federation settings;

    FederationPeers(SipEdge.Federation settings) {
        this.settings = settings;
    }

    /** Other boxes can connect to this one (overlay.reachable). */
    boolean reachable() {
        return settings.reachable();
    }

    /** True if calls to users of {@code domain} are answered with a redirect to their box (overlay.redirect). */
    boolean redirects(String domain) {
        return settings.redirects(domain);
    }

    /**
     * Where other boxes reach the listening point {@code lp}, when it is the federation's socket and reached at
     * another address (overlay.sip-uri behind a router); null otherwise.
     */
    ListenAddress.HostPort advertised(javax.sip.ListeningPoint lp) {
        ListenAddress.HostPort a = settings.advertised();
        return a != null && "tls".equalsIgnoreCase(lp.getTransport()) && lp.getPort() == settings.listen().port()
                ? a : null;
    }

    /** The box that sent {@code message} over TLS, or null when it came over another transport or unauthenticated. */
    Peer sender(SIPRequest message) {
        if (!(message.getMessageChannel() instanceof NioTlsMessageChannel ch) || ch.getHandshakeCompletedListener() == null) {
            return null;
        }
        Certificate[] chain = ch.getHandshakeCompletedListener().getPeerCertificates();
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            return null;
        }
        try {
            NodeId id = Credentials.nodeIdOf(cert);
            return new Peer(id, Credentials.domainsOf(cert));
        } catch (RuntimeException e) {
            return null; // a CA certificate or one that names no node: not a box
        }
    }
}
