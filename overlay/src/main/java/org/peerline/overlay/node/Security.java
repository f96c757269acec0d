package org.peerline.overlay.node;

import java.util.Collection;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.ReloadMessage;
import org.peerline.overlay.message.SecurityBlock;

/**
 * Signing and verification (RFC 6940 §6.3.4 for messages, §7.1 for stored data). In production: ECDSA
 * with the node's certificate from the overlay's CA, the signer named by the hash of its certificate.
 * The simulator plugs in a stand-in that costs no CPU but puts as many bytes on the wire.
 */
public interface Security {
    /**
     * The security block for a message whose {@link ReloadMessage#signatureInput signature input} is given,
     * carrying the certificates of {@code certificatesOf} (this node's own for a message that travels beyond
     * a neighbour, the signers' of stored data it carries), so that every receiver can verify.
     */
    SecurityBlock signMessage(byte[] signatureInput, Collection<SecurityBlock.SignerIdentity> certificatesOf);

    /**
     * The Node-ID of the message's signer if its signature is valid, otherwise null. Certificates the message
     * carries are checked against the overlay's CA and remembered.
     */
    NodeId verifyMessage(ReloadMessage message);

    /** The signature over stored data (§7.1) by this node. */
    SecurityBlock.Signature signData(byte[] signatureInput);

    /** The Node-ID of the signer of stored data if the signature over {@code signatureInput} is valid, else null. */
    NodeId verifyData(byte[] signatureInput, SecurityBlock.Signature signature);

    /** The identity this node signs with, which is part of each signature input. */
    SecurityBlock.SignerIdentity identity();

    /** Checks the certificates a message carries against the overlay's CA and remembers the good ones. */
    void learnCertificates(ReloadMessage message);

    /**
     * True if {@code signer} names the certificate of {@code peer}, the node at the other end of an
     * authenticated link: a message it sent over that link needs no second signature check.
     */
    boolean isLinkPeer(NodeId peer, SecurityBlock.SignerIdentity signer);

    /** The SIP domains the certificate of {@code signer} names (empty when unknown). */
    java.util.List<String> domainsOf(SecurityBlock.SignerIdentity signer);
}
