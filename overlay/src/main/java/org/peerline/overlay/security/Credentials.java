package org.peerline.overlay.security;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import org.peerline.overlay.api.NodeId;

/**
 * A node's identity in the overlay: its private key, its certificate issued by the overlay's CA, and the
 * CA's certificate that every peer's certificate must chain to (RFC 6940 §11.3).
 *
 * <p>The certificate binds the Node-ID (RFC 6940 §13.3) as a subjectAltName URI
 * {@code reload://<32 hex digits>@<overlay name>/}, and names the SIP domains the box serves as dNSName
 * entries: the overlay's access control lets a box write registrations of those domains only.
 *
 * <p>Files: {@code node.key} (PKCS#8, PEM, mode 600), {@code node.crt} and {@code ca.crt} (PEM).
 */
public record Credentials(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    static final String URI_PREFIX = "reload://";

    /** The Node-ID the certificate names. */
    public NodeId nodeId() {
        return nodeIdOf(certificate);
    }

    /** The overlay the certificate was issued for: the host part of its {@code reload://} subjectAltName URI. */
    public String overlayName() {
        for (List<?> san : altNames(certificate)) {
            if (((Integer) san.get(0)) == 6 && ((String) san.get(1)).startsWith(URI_PREFIX)) {
                String uri = (String) san.get(1);
                int at = uri.indexOf('@');
                int slash = uri.indexOf('/', at + 1);
                if (at > 0) {
                    return uri.substring(at + 1, slash < 0 ? uri.length() : slash);
                }
            }
        }
        throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal() + " names no overlay");
    }

    /** The SIP domains the certificate names. */
    public List<String> domains() {
        return domainsOf(certificate);
    }

    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        writePrivate(dir.resolve("node.key"), pem("PRIVATE KEY", key.getEncoded()));
        writeAtomically(dir.resolve("node.crt"), pem("CERTIFICATE", der(certificate)));
        writeAtomically(dir.resolve("ca.crt"), pem("CERTIFICATE", der(ca)));
    }

    public static Credentials load(Path dir) throws IOException {
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                    readPem(dir.resolve("node.key"), "PRIVATE KEY")));
            return new Credentials(key, certificate(readPem(dir.resolve("node.crt"), "CERTIFICATE")),
                    certificate(readPem(dir.resolve("ca.crt"), "CERTIFICATE")));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("bad credentials in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The Node-ID in a certificate's reload:// subjectAltName URI. */
    public static NodeId nodeIdOf(X509Certificate cert) {
        for (List<?> san : altNames(cert)) {
            if (((Integer) san.get(0)) == 6) { // uniformResourceIdentifier
                String uri = (String) san.get(1);
                if (uri.startsWith(URI_PREFIX) && uri.indexOf('@') == URI_PREFIX.length() + 2 * NodeId.BYTES) {
                    return NodeId.parse(uri.substring(URI_PREFIX.length(), URI_PREFIX.length() + 2 * NodeId.BYTES));
                }
            }
        }
        throw new IllegalArgumentException("certificate " + cert.getSubjectX500Principal() + " names no Node-ID");
    }

    /** The dNSName subjectAltNames of a certificate (the SIP domains a box serves), lower case. */
    public static List<String> domainsOf(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        for (List<?> san : altNames(cert)) {
            if (((Integer) san.get(0)) == 2) {
                out.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static Collection<List<?>> altNames(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** SHA-256 of the certificate's DER encoding: the signer identity (cert_hash) of RFC 6940 §6.3.4. */
    public static byte[] hash(X509Certificate cert) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(der(cert));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] der(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a DER certificate. */
    public static X509Certificate certificate(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
    }

    static String pem(String type, byte[] der) {
        StringWriter sw = new StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    static byte[] readPem(Path file, String type) throws IOException {
        try (PemReader r = new PemReader(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            PemObject o = r.readPemObject();
            if (o == null || !o.getType().equals(type)) {
                throw new IOException(file + ": expected a PEM " + type);
            }
            return o.getContent();
        }
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
