package org.peerline.gateway.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin page's TLS certificate: self-signed (ECDSA P-256, 10 years), made at the first start and kept in
 * {@code DATA/admin/tls.p12} (owner-only; backups carry it, so browsers that accepted it keep trusting it). Its
 * names are the site's domain, the box's address, {@code localhost} and 127.0.0.1. An operator's own certificate
 * replaces the file (PKCS#12, password {@value #STORE_PASSWORD}, the key under alias {@value #ALIAS}).
 */
final class AdminTls {
    static final String FILE = "tls.p12";
    static final String ALIAS = "admin";
    /** The file is protected by its permissions; PKCS#12 wants a password all the same. */
    static final String STORE_PASSWORD = "peerline";
    private static final Logger LOG = LoggerFactory.getLogger(AdminTls.class);

    private AdminTls() {
    }

    /** Loads the box's certificate from {@code dir}, making a self-signed one first if there is none. */
    static SSLContext context(Path dir, String domain, String address) throws IOException {
        Path file = dir.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                create(file, domain, address);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, STORE_PASSWORD.toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, STORE_PASSWORD.toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys.getKeyManagers(), null, null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the admin page's certificate " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file, String domain, String address) throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + domain + ",O=Peerline");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names(domain, address)
                .toArray(new GeneralName[0])));
        X509Certificate cert;
        try {
            cert = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign: " + e.getMessage(), e);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, pair.getPrivate(), STORE_PASSWORD.toCharArray(), new X509Certificate[] {cert});
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = dir.resolve(FILE + ".new");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            store.store(out, STORE_PASSWORD.toCharArray());
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("made a self-signed certificate for the admin page ({}, SHA-256 fingerprint {}) in {}",
                hostsAndIps(domain, address),
                fingerprint(cert), file);
    }

    private static List<GeneralName> names(String domain, String address) {
        List<GeneralName> out = new ArrayList<>();
        for (String name : hostsAndIps(domain, address)) {
            out.add(new GeneralName(isIp(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        return out;
    }

    /** The certificate's names: the domain, localhost, 127.0.0.1 and the box's address. */
    private static Set<String> hostsAndIps(String domain, String address) {
        Set<String> names = new LinkedHashSet<>(List.of(domain, "localhost", "127.0.0.1"));
        if (address != null) {
            names.add(address);
        }
        return names;
    }

    private static boolean isIp(String name) {
        return name.matches("[0-9.]+") || name.contains(":");
    }

    /** The certificate's SHA-256 fingerprint, as browsers show it (AB:CD:...). */
    static String fingerprint(X509Certificate cert) throws GeneralSecurityException {
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        StringBuilder sb = new StringBuilder();
        for (byte b : d) {
            sb.append(sb.length() == 0 ? "" : ":").append(String.format("%02X", b));
        }
        return sb.toString();
    }
}
