package org.peerline.gateway.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.peerline.gateway.Daemons;
import org.peerline.overlay.security.Credentials;
import org.peerline.overlay.security.OverlayCa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrollment by invitation: the CA box's HTTPS endpoint that turns a valid token into a certificate, and the
 * joining box's side of it. The joining box sends only its public key; its private key, and the CA's, never
 * leave their boxes. The joining box trusts the endpoint only if the federation CA whose SHA-256 the token
 * carries issued its certificate (no host name check: the pin is stronger, and boxes are often known by IP).
 *
 * <p>{@code POST /enroll} with {@code {"id","secret","publicKey"}} (the key as base64 DER) answers 200 with
 * {@code {"certificate","ca","overlay"}} (base64 DER, the overlay's name), 400 for a malformed request, 403 with
 * the reason for an unknown, forged, used or expired invitation.
 */
public final class Enrollment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Enrollment.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the certificates of enrolled boxes are valid. */
    public static final Duration VALIDITY = Duration.ofDays(825);

    private final HttpsServer server;
    private final ExecutorService executor;

    private Enrollment(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves enrollment on {@code listen} with this box's own certificate, issuing from {@code ca}. */
    public static Enrollment start(InetSocketAddress listen, Credentials box, OverlayCa ca, InvitationStore invitations)
            throws IOException {
        HttpsServer s = HttpsServer.create(listen, 16);
        s.setHttpsConfigurator(new HttpsConfigurator(serverContext(box)));
        ExecutorService ex = Executors.newFixedThreadPool(2, Daemons.named("enrollment"));
        s.setExecutor(ex);
        s.createContext("/enroll", exchange -> handle(exchange, ca, invitations));
        s.start();
        LOG.info("federation: enrollment by invitation on https://{}:{}/enroll", listen.getHostString(),
                s.getAddress().getPort());
        return new Enrollment(s, ex);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void handle(HttpExchange ex, OverlayCa ca, InvitationStore invitations) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, error("POST only"));
                return;
            }
            JsonNode req;
            PublicKey key;
            try (InputStream in = ex.getRequestBody()) {
                req = JSON.readTree(in.readNBytes(16 * 1024));
                key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(
                        Base64.getDecoder().decode(req.path("publicKey").asText())));
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                reply(ex, 400, error("malformed enrollment request: " + e.getMessage()));
                return;
            }
            InvitationStore.Entry inv;
            try {
                inv = invitations.redeem(req.path("id").asText(), req.path("secret").asText(),
                        System.currentTimeMillis() / 1000);
            } catch (InvitationStore.Refused r) {
                LOG.warn("federation: enrollment from {} refused: {}", ex.getRemoteAddress(), r.getMessage());
                reply(ex, 403, error(r.getMessage()));
                return;
            }
            X509Certificate cert = ca.certify(key, inv.site(), List.of(inv.domain()), VALIDITY);
            LOG.info("federation: enrolled site {} ({}) from {} as Node-ID {}", inv.site(), inv.domain(),
                    ex.getRemoteAddress(), Credentials.nodeIdOf(cert));
            ObjectNode out = JSON.createObjectNode();
            out.put("certificate", Base64.getEncoder().encodeToString(Credentials.der(cert)));
            out.put("ca", Base64.getEncoder().encodeToString(Credentials.der(ca.certificate())));
            out.put("overlay", ca.overlayName());
            reply(ex, 200, out);
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private static SSLContext serverContext(Credentials box) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("box", box.key(), new char[0], new Certificate[] {box.certificate(), box.ca()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for enrollment: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of a certificate's DER, lower-case hex: the pin a token carries. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Credentials.der(cert)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The joining side: generates this box's key, sends the public half with the invitation, and returns the
     * box's credentials. IOException with the inviting box's reason if it refuses.
     */
    public static Credentials join(Invitation inv) throws IOException {
        KeyPair kp = OverlayCa.newKeyPair();
        ObjectNode req = JSON.createObjectNode().put("id", inv.id()).put("secret", inv.secret())
                .put("publicKey", Base64.getEncoder().encodeToString(kp.getPublic().getEncoded()));
        HttpsURLConnection c = (HttpsURLConnection) new URL(inv.url()).openConnection();
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new PinnedCa(inv.ca(), inv.node())}, null);
            c.setSSLSocketFactory(ctx.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        c.setHostnameVerifier((host, session) -> true); // PinnedCa decides: the federation CA's certificate
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream o = c.getOutputStream()) {
            o.write(JSON.writeValueAsBytes(req));
        } catch (javax.net.ssl.SSLHandshakeException e) {
            throw new IOException("the box at " + inv.url() + " does not hold a certificate of the federation the"
                    + " token names: " + e.getMessage(), e);
        }
        int status = c.getResponseCode();
        JsonNode body;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            body = JSON.readTree(in == null ? new byte[0] : in.readAllBytes());
        }
        if (status != 200) {
            throw new IOException("the inviting box refused: " + body.path("error").asText("HTTP " + status));
        }
        try {
            X509Certificate cert = Credentials.certificate(Base64.getDecoder().decode(body.path("certificate").asText()));
            X509Certificate ca = Credentials.certificate(Base64.getDecoder().decode(body.path("ca").asText()));
            if (!fingerprint(ca).equals(inv.ca()) || !cert.getPublicKey().equals(kp.getPublic())) {
                throw new IOException("the inviting box answered with a certificate that is not ours or a CA that"
                        + " is not the token's");
            }
            cert.verify(ca.getPublicKey());
            return new Credentials(kp.getPrivate(), cert, ca);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the inviting box answered with an unusable certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Trusts a server only if its certificate is the inviting box's (its Node-ID) and was issued by the CA
     * certificate with the pinned SHA-256, which the chain must carry.
     */
    private static final class PinnedCa implements X509TrustManager {
        private final String pin;
        private final String node;

        PinnedCa(String pin, String node) {
            this.pin = pin;
            this.node = node;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            for (X509Certificate c : chain) {
                if (fingerprint(c).equals(pin)) {
                    try {
                        chain[0].checkValidity();
                        chain[0].verify(c.getPublicKey());
                        if (!Credentials.nodeIdOf(chain[0]).toString().equals(node)) {
                            throw new CertificateException("the certificate is another box's, not the inviting box's");
                        }
                        return;
                    } catch (GeneralSecurityException | IllegalArgumentException e) {
                        throw new CertificateException("not issued by the federation CA: " + e.getMessage(), e);
                    }
                }
            }
            throw new CertificateException("no certificate in the chain is the federation CA the token names");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
