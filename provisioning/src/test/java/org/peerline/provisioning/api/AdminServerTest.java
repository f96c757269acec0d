package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over real HTTP on loopback. */
@Timeout(30)
class AdminServerTest {
    private static final String REALM = "site.example.org";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Provisioning provisioning;
    private AdminServer server;
    private String token;

    @BeforeEach
    void start() throws Exception {
        provisioning = Provisioning.open(dir, REALM);
        server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token,
                provisioning);
    }

    @AfterEach
    void stop() {
        server.close();
        provisioning.close();
    }

    @Test
    void shouldBindARealPort() {
        assertNotEquals(0, server.address().getPort());
    }

    @Test
    void shouldReportHealth() throws Exception {
        HttpResponse<String> response = send("GET", "/api/health", null);

        assertEquals(200, response.statusCode());
        assertEquals("ok", json(response).get("status").asText());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    }

    @Test
    void shouldAnswerHeadLikeGetWithoutABody() throws Exception {
        HttpResponse<String> response = send("HEAD", "/api/health", null);

        assertEquals(200, response.statusCode());
        assertEquals("", response.body());
    }

    @Test
    void shouldCreateAUserWithoutExposingSecrets() throws Exception {
        HttpResponse<String> response = post("/api/users",
                "{\"name\":\"alice\",\"password\":\"s3cret\",\"extension\":\"1001\",\"display\":\"Alice\"}");

        assertEquals(201, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("alice", body.get("name").asText());
        assertEquals("1001", body.get("extension").asText());
        assertEquals("Alice", body.get("display").asText());
        Instant.parse(body.get("created").asText());
        assertEquals(List.of("name", "extension", "display", "created"), fieldNames(body));
        User stored = provisioning.users().find("alice").orElseThrow();
        assertFalse(response.body().contains(stored.ha1()));
        assertFalse(response.body().contains("s3cret"));
        assertEquals("/api/users/alice", response.headers().firstValue("Location").orElseThrow());
        assertEquals(DigestHa1.of("alice", REALM, "s3cret"), stored.ha1());
    }

    @Test
    void shouldListAndGetUsers() throws Exception {
        provisioning.users().add(new NewUser("bob", "pw", null, null));
        provisioning.users().add(new NewUser("alice", "pw", "1001", "Alice"));

        HttpResponse<String> list = send("GET", "/api/users", null);
        HttpResponse<String> one = send("GET", "/api/users/alice", null);

        assertEquals(200, list.statusCode());
        JsonNode users = json(list).get("users");
        assertEquals(2, users.size());
        assertEquals("alice", users.get(0).get("name").asText());
        assertEquals("bob", users.get(1).get("name").asText());
        assertTrue(users.get(1).get("extension").isNull());
        assertFalse(list.body().contains("ha1"));
        assertEquals(200, one.statusCode());
        assertEquals("Alice", json(one).get("display").asText());
    }

    @Test
    void shouldPatchAUser() throws Exception {
        provisioning.users().add(new NewUser("alice", "old", "1001", "Alice"));

        HttpResponse<String> changed = patch("/api/users/alice", "{\"password\":\"new\",\"extension\":\"2002\"}");
        HttpResponse<String> cleared = patch("/api/users/alice", "{\"display\":null}");

        assertEquals(200, changed.statusCode(), changed.body());
        assertEquals("2002", json(changed).get("extension").asText());
        assertEquals("Alice", json(changed).get("display").asText());
        assertEquals(200, cleared.statusCode(), cleared.body());
        assertTrue(json(cleared).get("display").isNull());
        User stored = provisioning.users().find("alice").orElseThrow();
        assertEquals(DigestHa1.of("alice", REALM, "new"), stored.ha1());
        assertEquals("2002", stored.extension());
    }

    @Test
    void shouldDeleteAUser() throws Exception {
        provisioning.users().add(new NewUser("alice", "pw", null, null));

        HttpResponse<String> deleted = send("DELETE", "/api/users/alice", null);
        HttpResponse<String> again = send("DELETE", "/api/users/alice", null);

        assertEquals(204, deleted.statusCode());
        assertEquals("", deleted.body());
        assertEquals(404, again.statusCode());
        assertTrue(provisioning.users().find("alice").isEmpty());
    }

    @Test
    void shouldPercentDecodeNamesInThePath() throws Exception {
        provisioning.users().add(new NewUser("a/b+c", "pw", null, null));

        HttpResponse<String> found = send("GET", "/api/users/a%2Fb+c", null);
        HttpResponse<String> created = post("/api/users", "{\"name\":\"x?y\",\"password\":\"pw\"}");

        assertEquals(200, found.statusCode(), found.body());
        assertEquals("a/b+c", json(found).get("name").asText());
        assertEquals("/api/users/x%3Fy", created.headers().firstValue("Location").orElseThrow());
        assertEquals(400, send("GET", "/api/users/%C3", null).statusCode());
    }

    @Test
    void shouldAnswer404ForUnknownUsersAndPaths() throws Exception {
        assertError(404, "no user 'ghost'", send("GET", "/api/users/ghost", null));
        assertError(404, "no user 'ghost'", patch("/api/users/ghost", "{\"display\":\"x\"}"));
        assertError(404, "no such resource", send("GET", "/api/nothing", null));
        assertError(404, "no such resource", send("GET", "/api/users/a/b", null));
        assertError(404, "no such resource", send("GET", "/nothing", null));
    }

    @Test
    void shouldAnswer405ForOtherMethods() throws Exception {
        HttpResponse<String> put = send("PUT", "/api/users", "{}");

        assertError(405, "method PUT is not allowed", put);
        assertEquals("GET, POST", put.headers().firstValue("Allow").orElseThrow());
        assertError(405, "not allowed", send("POST", "/api/users/alice", "{}"));
        assertError(405, "not allowed", send("DELETE", "/api/health", null));
    }

    @Test
    void shouldAnswer400ForMalformedJson() throws Exception {
        assertError(400, "malformed JSON at line 1", post("/api/users", "{\"name\": \"alice\", "));
        assertError(400, "malformed JSON", post("/api/users", "{\"name\":\"a\",\"name\":\"b\",\"password\":\"p\"}"));
        assertError(400, "malformed JSON", post("/api/users", "{} {}"));
        assertError(400, "request body is empty", post("/api/users", ""));
        assertError(400, "must be a JSON object", post("/api/users", "[1, 2]"));
        HttpResponse<String> leak = post("/api/users", "{\"name\":\"alice\",\"password\":hunter2}");
        assertError(400, "malformed JSON", leak);
        assertFalse(leak.body().contains("hunter2"), leak.body());
    }

    @Test
    void shouldAnswer400NamingTheInvalidField() throws Exception {
        assertError(400, "name: character ':' (U+003A) at position 6 is not allowed",
                post("/api/users", "{\"name\":\"alice:x\",\"password\":\"pw\"}"));
        assertError(400, "password: is required", post("/api/users", "{\"name\":\"alice\"}"));
        assertError(400, "extension: '12x' is not an extension",
                post("/api/users", "{\"name\":\"alice\",\"password\":\"pw\",\"extension\":\"12x\"}"));
        assertError(400, "extension: must be a string",
                post("/api/users", "{\"name\":\"alice\",\"password\":\"pw\",\"extension\":1001}"));
        assertError(400, "display: control character U+0007",
                post("/api/users", "{\"name\":\"alice\",\"password\":\"pw\",\"display\":\"a\\u0007\"}"));
        assertError(400, "unknown field 'pasword'", post("/api/users", "{\"name\":\"alice\",\"pasword\":\"pw\"}"));
        provisioning.users().add(new NewUser("bob", "pw", null, null));
        assertError(400, "name: cannot be changed", patch("/api/users/bob", "{\"name\":\"robert\"}"));
        assertError(400, "password: cannot be removed", patch("/api/users/bob", "{\"password\":null}"));
        assertTrue(provisioning.users().find("alice").isEmpty());
    }

    @Test
    void shouldAnswer409ForConflicts() throws Exception {
        provisioning.users().add(new NewUser("alice", "pw", "1001", null));
        provisioning.users().add(new NewUser("bob", "pw", null, null));

        assertError(409, "user 'alice' already exists", post("/api/users", "{\"name\":\"alice\",\"password\":\"x\"}"));
        assertError(409, "extension '1001' already belongs to user 'alice'",
                post("/api/users", "{\"name\":\"carol\",\"password\":\"x\",\"extension\":\"1001\"}"));
        assertError(409, "extension '1001'", patch("/api/users/bob", "{\"extension\":\"1001\"}"));
    }

    @Test
    void shouldAnswer413ForLargeBodies() throws Exception {
        String padding = "x".repeat(64 * 1024);
        HttpResponse<String> response = post("/api/users", "{\"name\":\"alice\",\"password\":\"pw\",\"display\":\""
                + padding + "\"}");

        assertError(413, "larger than 65536 bytes", response);
        assertTrue(provisioning.users().list().isEmpty());
    }

    @Test
    void shouldAnswer415ForOtherContentTypes() throws Exception {
        String body = "{\"name\":\"alice\",\"password\":\"pw\"}";
        assertError(415, "Content-Type must be application/json, not text/plain",
                send("POST", "/api/users", body, "Content-Type", "text/plain"));
        assertError(415, "Content-Type must be application/json", send("POST", "/api/users", body));
        assertError(415, "Content-Type must be application/json",
                send("PATCH", "/api/users/alice", body, "Content-Type", "application/x-www-form-urlencoded"));
        assertEquals(201, send("POST", "/api/users", body, "Content-Type", "Application/JSON; charset=UTF-8")
                .statusCode());
    }

    @Test
    void shouldRequireTheTokenWhenOneIsSet() throws Exception {
        restartWithToken("t0ken-with-enough-entropy");

        assertError(401, "authentication required", send("GET", "/api/users", null));
        assertError(401, "authentication required", send("GET", "/api/nothing", null));
        HttpResponse<String> wrong = send("GET", "/api/health", null, "Authorization", "Bearer wrong");
        assertError(401, "wrong token", wrong);
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
        assertError(401, "wrong token", send("GET", "/api/health", null, "Authorization",
                "Basic dDBrZW4td2l0aC1lbm91Z2gtZW50cm9weQ=="));
        assertError(401, "wrong token", send("POST", "/api/users", "{\"name\":\"eve\",\"password\":\"pw\"}",
                "Content-Type", "application/json", "Authorization", "Bearer t0ken"));
        assertEquals(200, send("GET", "/api/users", null, "Authorization", "Bearer t0ken-with-enough-entropy")
                .statusCode());
        assertEquals(201, send("POST", "/api/users", "{\"name\":\"alice\",\"password\":\"pw\"}", "Content-Type",
                "application/json", "Authorization", "bearer t0ken-with-enough-entropy").statusCode());
        assertEquals(List.of("alice"), provisioning.users().list().stream().map(User::name).toList());
    }

    @Test
    void shouldRefuseAnEmptyToken() {
        assertThrows(IllegalArgumentException.class, () -> AdminServer.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), " ", provisioning.users()));
    }

    @Test
    void shouldServeExtraJsonGets() throws Exception {
        record Registration(String aor, Instant expires, Duration lifetime) {
        }
        Instant expires = Instant.parse("2030-01-02T03:04:05Z");
        server.addJsonGet("/api/registrations", () -> List.of(new Registration("alice@site", expires,
                Duration.ofSeconds(3600))));
        server.addJsonGet("/api/broken", () -> {
            throw new IllegalStateException("boom");
        });

        HttpResponse<String> response = send("GET", "/api/registrations", null);

        assertEquals(200, response.statusCode(), response.body());
        JsonNode first = json(response).get(0);
        assertEquals("alice@site", first.get("aor").asText());
        assertEquals("2030-01-02T03:04:05Z", first.get("expires").asText());
        assertEquals("PT1H", first.get("lifetime").asText());
        assertError(405, "not allowed", send("DELETE", "/api/registrations", null));
        assertError(500, "internal error", send("GET", "/api/broken", null));
        assertThrows(IllegalArgumentException.class, () -> server.addJsonGet("/api/users/x", () -> "x"));
        assertThrows(IllegalArgumentException.class, () -> server.addJsonGet("/api/registrations", () -> "x"));
        assertThrows(IllegalArgumentException.class, () -> server.addJsonGet("api/x", () -> "x"));
    }

    @Test
    void shouldPassQueryParametersAndMapTheirErrors() throws Exception {
        server.addJsonQuery("/api/echo", q -> {
            String aor = q.get("aor");
            if (aor == null) {
                throw new IllegalArgumentException("the query needs aor=AOR");
            }
            if (aor.startsWith("nobody")) {
                throw new java.util.NoSuchElementException("no " + aor);
            }
            return java.util.Map.of("aor", aor);
        });

        HttpResponse<String> ok = send("GET", "/api/echo?aor=sip%3Aalice%40site-a.example&x", null);

        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("sip:alice@site-a.example", json(ok).get("aor").asText());
        assertError(400, "needs aor", send("GET", "/api/echo", null));
        assertError(400, "given twice", send("GET", "/api/echo?aor=a&aor=b", null));
        assertError(404, "no nobody@x", send("GET", "/api/echo?aor=nobody@x", null));
        assertError(405, "not allowed", send("POST", "/api/echo?aor=a", "{}"));
    }

    @Test
    void shouldRequireTheTokenOnExtraJsonGets() throws Exception {
        restartWithToken("secret-token");
        server.addJsonGet("/api/registrations", List::of);

        assertEquals(401, send("GET", "/api/registrations", null).statusCode());
        assertEquals("[]", send("GET", "/api/registrations", null, "Authorization", "Bearer secret-token").body());
    }

    @Test
    void shouldManagePhones() throws Exception {
        provisioning.users().add(new NewUser("alice", "s3cret", "1001", null));
        HttpResponse<String> created = post("/api/phones",
                "{\"mac\":\"00-15-65-12-AB-3C\",\"vendor\":\"Yealink\",\"model\":\"T46U\",\"lines\":[\"alice\"]}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("/api/phones/00156512ab3c", created.headers().firstValue("Location").orElseThrow());
        JsonNode phone = json(created);
        assertEquals("00:15:65:12:ab:3c", phone.get("mac").asText());
        assertEquals("yealink", phone.get("vendor").asText());
        assertEquals("alice", phone.get("lines").get(0).asText());
        assertEquals(20, phone.get("password").asText().length());

        JsonNode list = json(send("GET", "/api/phones", null));
        assertEquals(1, list.get("phones").size());
        assertFalse(list.get("phones").get(0).has("password"), "lists never show phone passwords");
        assertEquals(phone.get("password"), json(send("GET", "/api/phones/00:15:65:12:ab:3c", null)).get("password"));

        assertError(409, "exists", post("/api/phones",
                "{\"mac\":\"00156512ab3c\",\"vendor\":\"polycom\",\"lines\":[\"alice\"]}"));
        assertError(404, "bob", post("/api/phones",
                "{\"mac\":\"00156512ab3d\",\"vendor\":\"polycom\",\"lines\":[\"bob\"]}"));
        assertError(400, "mac:", post("/api/phones", "{\"mac\":\"0015\",\"vendor\":\"polycom\",\"lines\":[\"alice\"]}"));
        assertError(400, "vendor", post("/api/phones", "{\"mac\":\"00156512ab3d\",\"vendor\":\"snom\",\"lines\":[\"alice\"]}"));
        assertError(400, "lines", post("/api/phones", "{\"mac\":\"00156512ab3d\",\"vendor\":\"cisco\",\"lines\":\"alice\"}"));
        assertError(409, "phone 00156512ab3c", send("DELETE", "/api/users/alice", null));

        assertEquals(204, send("DELETE", "/api/phones/00156512AB3C", null).statusCode());
        assertError(404, "no phone", send("DELETE", "/api/phones/00156512ab3c", null));
        assertEquals(204, send("DELETE", "/api/users/alice", null).statusCode());
    }

    private void restartWithToken(String newToken) throws IOException {
        server.close();
        token = newToken;
        server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token,
                provisioning);
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body, "Content-Type", "application/json");
    }

    private HttpResponse<String> patch(String path, String body) throws IOException, InterruptedException {
        return send("PATCH", path, body, "Content-Type", "application/json");
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        URI uri = URI.create("http://" + server.address().getHostString() + ":" + server.address().getPort() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), BodyHandlers.ofString());
    }

    private static void assertError(int status, String message, HttpResponse<String> response)
            throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        String error = json(response).get("error").asText();
        assertTrue(error.contains(message), "expected '..." + message + "...' but got '" + error + "'");
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
