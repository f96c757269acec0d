package org.peerline.overlay.sim;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.ReloadMessage;
import org.peerline.overlay.message.SecurityBlock;
import org.peerline.overlay.node.Security;

/**
 * The simulator's stand-in for certificates and ECDSA: the signer identity is a 32-byte "certificate hash"
 * that names the node, and the signature is 72 bytes, the size of a DER ECDSA P-256 signature, so that
 * the byte counts are those of the real protocol. Nothing is computed and nothing is secret: the
 * simulator measures routing and maintenance, the real-socket tests check the cryptography.
 */
final class SimSecurity implements Security {
    private static final int SIG_BYTES = 72;
    private final NodeId self;
    private final SecurityBlock.SignerIdentity identity;
    private final Map<NodeId, NodeId> byHash;

    /** {@code byHash}: the shared registry from identity hash (as a Node-ID of its first 16 bytes) to node. */
    SimSecurity(NodeId self, Map<NodeId, NodeId> byHash) {
        this.self = self;
        byte[] hash = new byte[32];
        System.arraycopy(self.toBytes(), 0, hash, 0, NodeId.BYTES);
        hash[31] = 1;
        this.identity = new SecurityBlock.SignerIdentity(SecurityBlock.IDENTITY_CERT_HASH, SecurityBlock.HASH_SHA256,
                hash);
        this.byHash = byHash;
        byHash.put(self, self);
    }

    /** Bytes of an ECDSA P-256 node certificate with a Node-ID URI and one domain, DER-encoded. */
    static final int CERTIFICATE_BYTES = 520;

    @Override
    public SecurityBlock signMessage(byte[] signatureInput, Collection<SecurityBlock.SignerIdentity> certificatesOf) {
        List<SecurityBlock.Certificate> certs = certificatesOf.stream()
                .map(i -> new SecurityBlock.Certificate(SecurityBlock.X509, new byte[CERTIFICATE_BYTES])).toList();
        return new SecurityBlock(certs, signData(signatureInput));
    }

    @Override
    public NodeId verifyMessage(ReloadMessage message) {
        return signer(message.security().signature());
    }

    @Override
    public SecurityBlock.Signature signData(byte[] signatureInput) {
        return new SecurityBlock.Signature(SecurityBlock.HASH_SHA256, SecurityBlock.SIG_ECDSA, identity,
                new byte[SIG_BYTES]);
    }

    @Override
    public NodeId verifyData(byte[] signatureInput, SecurityBlock.Signature signature) {
        return signer(signature);
    }

    @Override
    public SecurityBlock.SignerIdentity identity() {
        return identity;
    }

    @Override
    public void learnCertificates(ReloadMessage message) {
        // nothing to learn: the simulator's identities are a shared registry
    }

    @Override
    public boolean isLinkPeer(NodeId peer, SecurityBlock.SignerIdentity signer) {
        byte[] h = signer.hash();
        return h.length == 32 && peer.equals(byHash.get(NodeId.of(h, 0)));
    }

    @Override
    public List<String> domainsOf(SecurityBlock.SignerIdentity signer) {
        return List.of();
    }

    private NodeId signer(SecurityBlock.Signature s) {
        byte[] h = s.identity().hash();
        return h.length == 32 ? byHash.get(NodeId.of(h, 0)) : null;
    }

    @Override
    public String toString() {
        return "SimSecurity[" + self + "]";
    }
}
