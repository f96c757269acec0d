package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin page's login over real HTTPS: the setup code sets the first password, sessions are cookies that only
 * HTTPS carries, changes from a session need the CSRF header, wrong passwords lock the address out for a while,
 * and plain HTTP without a token stays as open as before.
 */
class AdminPageLoginTest {
    @TempDir
    Path dir;

    private Provisioning provisioning;
    private AdminServer server;
    private InetSocketAddress https;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        provisioning = Provisioning.open(dir.resolve("data"), "site.example");
        server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, provisioning);
        https = server.addHttps(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverTls());
        client = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        server.close();
        provisioning.close();
    }

    @Test
    void setupCodeLoginSessionsAndCsrf() throws Exception {
        assertEquals(401, get("/api/users", null).statusCode(), "HTTPS never serves the API without a login");
        assertEquals(200, send("GET", "http", "/api/users", null, null).statusCode(),
                "plain HTTP without a token stays open (loopback), as before");
        assertTrue(get("/api/login", null).body().contains("\"passwordSet\":false"));

        String code = server.setupCode();
        assertNotNull(code);
        assertEquals(401, post("/api/login", "{\"setupCode\":\"WRONG-CODE-0000\",\"password\":\"long enough\"}", null)
                .statusCode());
        assertEquals(400, post("/api/login", "{\"setupCode\":\"" + code + "\",\"password\":\"short\"}", null)
                .statusCode());
        HttpResponse<String> set = post("/api/login", "{\"setupCode\":\"" + code.toLowerCase() + "\","
                + "\"password\":\"long enough\"}", null);
        assertEquals(204, set.statusCode(), set.body());
        String cookie = set.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"),
                cookie);
        assertNull(server.setupCode(), "the code works once");
        assertTrue(provisioning.admin().verify("long enough"));
        String session = cookie.substring(0, cookie.indexOf(';'));

        assertEquals(200, get("/api/users", session).statusCode());
        assertTrue(get("/api/login", session).body().contains("\"loggedIn\":true"));
        HttpResponse<String> noHeader = send("POST", "https", "/api/users",
                "{\"name\":\"carol\",\"password\":\"pw\"}", session);
        assertEquals(403, noHeader.statusCode(), "a page's change without the CSRF header is refused");
        assertTrue(provisioning.users().find("carol").isEmpty());
        assertEquals(201, post("/api/users", "{\"name\":\"carol\",\"password\":\"pw\"}", session).statusCode());

        assertEquals(204, post("/api/logout", "", session).statusCode());
        assertEquals(401, get("/api/users", session).statusCode(), "a logged-out session is gone");

        for (int i = 0; i < 5; i++) {
            assertEquals(401, post("/api/login", "{\"password\":\"guess " + i + "\"}", null).statusCode());
        }
        HttpResponse<String> locked = post("/api/login", "{\"password\":\"long enough\"}", null);
        assertEquals(429, locked.statusCode(), "after 5 wrong passwords the address waits, even with the right one");
        assertTrue(locked.headers().firstValue("Retry-After").isPresent());
    }

    @Test
    void servesThePageWithAStrictPolicy() throws Exception {
        HttpResponse<String> page = get("/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertTrue(page.body().contains("/ui/app.js"), "the page loads its script from the jar");
        assertEquals(200, get("/ui/app.js", null).statusCode());
        assertEquals(404, get("/ui/../users.db", null).statusCode());
        assertEquals(404, get("/ui/nothing.js", null).statusCode());
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        return send("GET", "https", path, null, cookie);
    }

    private HttpResponse<String> post(String path, String body, String cookie) throws Exception {
        return send("POST", "https", path, body, cookie, "X-Peerline-Request", "1");
    }

    private HttpResponse<String> send(String method, String scheme, String path, String body, String cookie,
            String... headers) throws Exception {
        InetSocketAddress to = scheme.equals("https") ? https : server.address();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + to.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), BodyHandlers.ofString());
    }

    /** A self-signed server certificate made with the JDK's keytool, as an operator could. */
    private SSLContext serverTls() throws Exception {
        Path store = dir.resolve("tls.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-alias", "admin", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-ext", "SAN=ip:127.0.0.1,dns:localhost").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool made a certificate");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    private static SSLContext trustAll() throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return tls;
    }
}
