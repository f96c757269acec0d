package org.peerline.overlay.security;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.peerline.overlay.api.NodeId;

/**
 * The overlay's certificate authority (RFC 6940 §11.3 enrollment, done locally for now): an ECDSA P-256
 * key and a self-signed CA certificate, which issue node certificates binding a random Node-ID and the
 * SIP domains a box serves. The CA key never leaves the directory it was created in ({@code ca.key},
 * mode 600, next to {@code ca.crt}).
 */
public final class OverlayCa {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String overlayName;
    private final PrivateKey key;
    private final X509Certificate certificate;

    private OverlayCa(String overlayName, PrivateKey key, X509Certificate certificate) {
        this.overlayName = overlayName;
        this.key = key;
        this.certificate = certificate;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String overlayName() {
        return overlayName;
    }

    /** Creates a CA for {@code overlayName}, valid 20 years, and saves it in {@code dir} (refuses to overwrite). */
    public static OverlayCa create(String overlayName, Path dir) throws IOException {
        if (Files.exists(dir.resolve("ca.key"))) {
            throw new IOException(dir.resolve("ca.key") + " exists: this overlay already has a CA");
        }
        OverlayCa ca = generate(overlayName);
        Files.createDirectories(dir);
        Credentials.writePrivate(dir.resolve("ca.key"), Credentials.pem("PRIVATE KEY", ca.key.getEncoded()));
        Credentials.writeAtomically(dir.resolve("ca.crt"), Credentials.pem("CERTIFICATE", Credentials.der(ca.certificate)));
        return ca;
    }

    /** A CA in memory only (tests, the simulator's real-socket runs). */
    public static OverlayCa generate(String overlayName) {
        try {
            KeyPair kp = newKeyPair();
            X500Name name = new X500Name("CN=Peerline overlay CA " + overlayName.replace(',', ' '));
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(20 * 365))), name,
                    kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new OverlayCa(overlayName, kp.getPrivate(), sign(b, kp.getPrivate()));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a CA: " + e.getMessage(), e);
        }
    }

    public static OverlayCa load(String overlayName, Path dir) throws IOException {
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                    Credentials.readPem(dir.resolve("ca.key"), "PRIVATE KEY")));
            return new OverlayCa(overlayName, key, Credentials.certificate(
                    Credentials.readPem(dir.resolve("ca.crt"), "CERTIFICATE")));
        } catch (GeneralSecurityException e) {
            throw new IOException("bad CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Issues a node certificate with a random Node-ID. */
    public Credentials issue(String siteName, List<String> domains, Duration validity) {
        byte[] raw = new byte[NodeId.BYTES];
        RANDOM.nextBytes(raw);
        return issue(NodeId.of(raw, 0), siteName, domains, validity);
    }

    /** Issues a node certificate for {@code id}, naming {@code domains} (SIP domains the box serves). */
    public Credentials issue(NodeId id, String siteName, List<String> domains, Duration validity) {
        KeyPair kp = newKeyPair();
        return new Credentials(kp.getPrivate(), certify(id, kp.getPublic(), siteName, domains, validity), certificate);
    }

    /**
     * Certifies a key someone else holds (enrollment: the box's private key never leaves it) under a new random
     * Node-ID, naming the site and the SIP domains it serves.
     */
    public X509Certificate certify(PublicKey publicKey, String siteName, List<String> domains, Duration validity) {
        byte[] raw = new byte[NodeId.BYTES];
        RANDOM.nextBytes(raw);
        return certify(NodeId.of(raw, 0), publicKey, siteName, domains, validity);
    }

    private X509Certificate certify(NodeId id, PublicKey publicKey, String siteName, List<String> domains,
                                    Duration validity) {
        try {
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + siteName.replace(',', ' ') + ", OU=" + id);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, publicKey);
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier,
                    Credentials.URI_PREFIX + id + "@" + overlayName + "/"));
            for (String d : domains) {
                names.add(new GeneralName(GeneralName.dNSName, d.toLowerCase(Locale.ROOT)));
            }
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return sign(b, key);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    /** A new ECDSA P-256 key pair, the kind every overlay certificate holds. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no ECDSA P-256 key generator: " + e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }
}
