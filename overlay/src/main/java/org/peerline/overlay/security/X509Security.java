package org.peerline.overlay.security;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.ReloadMessage;
import org.peerline.overlay.message.SecurityBlock;
import org.peerline.overlay.node.Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RELOAD's security with real keys (RFC 6940 §6.3.4, §7.1, §13): ECDSA P-256 with SHA-256 over the
 * signature input, the signer named by the SHA-256 hash of its certificate (cert_hash). A certificate is
 * believed only if the overlay's CA issued it and it is within its validity; it is then remembered by
 * hash (certificates learned from TLS handshakes and from certificate lists in messages), up to a bound.
 *
 * <p>Signatures are made and checked with Bouncy Castle's ECDSA, not the JDK's: on this project's 2-core
 * reference machine the JDK 17 provider takes about 0.9 ms to verify a P-256 signature and Bouncy Castle
 * about 0.18 ms, and a box verifies several signatures for every record it stores, replicates or fetches.
 *
 * <p>Used on the node's thread only.
 */
public final class X509Security implements Security {
    private static final Logger log = LoggerFactory.getLogger(X509Security.class);
    private static final int MAX_CACHED = 4096;
    /** Not registered with the JVM: used by name here only, so it changes no one else's choice of provider. */
    private static final Provider ECDSA_PROVIDER = new BouncyCastleProvider();

    private final Credentials credentials;
    private final SecurityBlock.SignerIdentity identity;
    private final Signature signer;
    private final Signature verifier;
    private final Map<String, X509Certificate> byHash = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, X509Certificate> e) {
            return size() > MAX_CACHED;
        }
    };

    public X509Security(Credentials credentials) {
        this.credentials = credentials;
        this.identity = new SecurityBlock.SignerIdentity(SecurityBlock.IDENTITY_CERT_HASH, SecurityBlock.HASH_SHA256,
                Credentials.hash(credentials.certificate()));
        byHash.put(key(identity.hash()), credentials.certificate());
        try {
            this.signer = Signature.getInstance("SHA256withECDSA", ECDSA_PROVIDER);
            this.signer.initSign(credentials.key());
            this.verifier = Signature.getInstance("SHA256withECDSA", ECDSA_PROVIDER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no ECDSA with SHA-256 for the node's key: " + e.getMessage(), e);
        }
    }

    /** Remembers a peer's certificate (from a TLS handshake) if the overlay's CA issued it; returns its Node-ID or null. */
    public NodeId learn(X509Certificate cert) {
        if (!trusted(cert)) {
            return null;
        }
        byHash.put(key(Credentials.hash(cert)), cert);
        return Credentials.nodeIdOf(cert);
    }

    /** The certificate of a signer this node has seen, or null. */
    public X509Certificate certificateOf(SecurityBlock.SignerIdentity signer) {
        return byHash.get(key(signer.hash()));
    }

    @Override
    public List<String> domainsOf(SecurityBlock.SignerIdentity signer) {
        X509Certificate c = certificateOf(signer);
        return c == null ? List.of() : Credentials.domainsOf(c);
    }

    @Override
    public SecurityBlock signMessage(byte[] signatureInput, Collection<SecurityBlock.SignerIdentity> certificatesOf) {
        List<SecurityBlock.Certificate> certs = new ArrayList<>();
        for (SecurityBlock.SignerIdentity i : certificatesOf) {
            X509Certificate c = certificateOf(i);
            if (c != null) {
                certs.add(new SecurityBlock.Certificate(SecurityBlock.X509, Credentials.der(c)));
            }
        }
        return new SecurityBlock(certs, signData(signatureInput));
    }

    @Override
    public NodeId verifyMessage(ReloadMessage message) {
        learnCertificates(message);
        return verify(message.signatureInput(), message.security().signature());
    }

    @Override
    public void learnCertificates(ReloadMessage message) {
        for (SecurityBlock.Certificate c : message.security().certificates()) {
            if (c.type() != SecurityBlock.X509) {
                continue;
            }
            try {
                X509Certificate cert = Credentials.certificate(c.der());
                if (!byHash.containsKey(key(Credentials.hash(cert)))) {
                    learn(cert);
                }
            } catch (CertificateException e) {
                log.debug("unparseable certificate in a message: {}", e.getMessage());
            }
        }
    }

    @Override
    public SecurityBlock.Signature signData(byte[] signatureInput) {
        try {
            signer.update(signatureInput);
            return new SecurityBlock.Signature(SecurityBlock.HASH_SHA256, SecurityBlock.SIG_ECDSA, identity, signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }

    @Override
    public NodeId verifyData(byte[] signatureInput, SecurityBlock.Signature signature) {
        return verify(signatureInput, signature);
    }

    @Override
    public boolean isLinkPeer(NodeId peer, SecurityBlock.SignerIdentity signer) {
        if (signer.type() != SecurityBlock.IDENTITY_CERT_HASH) {
            return false;
        }
        X509Certificate c = certificateOf(signer);
        return c != null && Credentials.nodeIdOf(c).equals(peer);
    }

    @Override
    public SecurityBlock.SignerIdentity identity() {
        return identity;
    }

    private NodeId verify(byte[] input, SecurityBlock.Signature sig) {
        if (sig.identity().type() != SecurityBlock.IDENTITY_CERT_HASH || sig.signatureAlgorithm() != SecurityBlock.SIG_ECDSA
                || sig.hashAlgorithm() != SecurityBlock.HASH_SHA256) {
            return null;
        }
        X509Certificate cert = certificateOf(sig.identity());
        if (cert == null) {
            return null;
        }
        try {
            verifier.initVerify(cert.getPublicKey());
            verifier.update(input);
            return verifier.verify(sig.value()) ? Credentials.nodeIdOf(cert) : null;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private boolean trusted(X509Certificate cert) {
        try {
            cert.checkValidity();
            cert.verify(credentials.ca().getPublicKey());
            Credentials.nodeIdOf(cert);
            return true;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            log.debug("certificate {} refused: {}", cert.getSubjectX500Principal(), e.getMessage());
            return false;
        }
    }

    private static String key(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }
}
