package org.peerline.provisioning.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.peerline.provisioning.api.AdminAccount;
import org.peerline.provisioning.api.InvalidInputException;
import org.peerline.provisioning.api.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the API: a request carrying the bearer token, or one from a logged-in page (session cookie). Over
 * plain HTTP without a configured token the API stays open, as before (it then listens on loopback); over HTTPS
 * it never is. Requests of a page session that change something must carry {@code X-Peerline-Request: 1}, a
 * header another site's page cannot send without a CORS preflight this server never grants (CSRF).
 *
 * <p>Login: {@code GET /api/login} says whether a password is set and whether this client is logged in;
 * {@code POST /api/login} with {@code {"password"}} (or {@code {"setupCode","password"}} to set the first password,
 * with the code the daemon printed at start) starts a session; {@code POST /api/logout} ends it.
 */
final class PageAuth {
    static final String LOGIN = "/api/login";
    static final String LOGOUT = "/api/logout";
    static final String CSRF_HEADER = "X-Peerline-Request";
    private static final Logger LOG = LoggerFactory.getLogger(PageAuth.class);
    private static final String CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final BearerAuth bearer;
    private final AdminAccount account;
    private final Sessions sessions = new Sessions(System::currentTimeMillis);
    private volatile String setupCode;
    /** Where the setup code is also written for the console (removed once a password is set); null: nowhere. */
    private volatile java.nio.file.Path setupCodeFile;

    PageAuth(BearerAuth bearer, AdminAccount account) {
        this.bearer = bearer;
        this.account = account;
        if (account != null && !account.hasPassword()) {
            SecureRandom random = new SecureRandom();
            StringBuilder code = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                code.append(CODE_ALPHABET.charAt(random.nextInt(CODE_ALPHABET.length())));
                if (i == 3 || i == 7) {
                    code.append('-');
                }
            }
            setupCode = code.toString();
        }
    }

    /** Writes the setup code, while there is one, to {@code file} (owner-only) for the appliance's console. */
    void keepSetupCodeIn(java.nio.file.Path file) throws java.io.IOException {
        setupCodeFile = file;
        String code = setupCode();
        if (code == null) {
            java.nio.file.Files.deleteIfExists(file);
            return;
        }
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".new");
        java.nio.file.Files.deleteIfExists(tmp);
        java.nio.file.Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.writeString(tmp, code + "\n");
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The one-time code that sets the first admin password, while none is set; else null. */
    String setupCode() {
        return account != null && !account.hasPassword() ? setupCode : null;
    }

    /** Throws 401 unless the request may use the API, 403 for a page's change without the CSRF header. */
    void authorize(HttpExchange exchange, String method) throws HttpError {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (bearer != null && authorization != null) {
            bearer.check(authorization);
            return;
        }
        if (sessions.valid(exchange.getRequestHeaders().getFirst("Cookie"))) {
            if (!method.equals("GET") && !"1".equals(exchange.getRequestHeaders().getFirst(CSRF_HEADER))) {
                throw new HttpError(403, "a change from the page must carry the header " + CSRF_HEADER + ": 1");
            }
            return;
        }
        if (open(exchange)) {
            return;
        }
        if (bearer != null) {
            bearer.check(authorization);
        }
        throw new HttpError(401, "log in first (POST " + LOGIN + ")");
    }

    /** Answers {@code /api/login} and {@code /api/logout}. */
    Response route(HttpExchange exchange, String method, String path, JsonReader body) throws HttpError {
        boolean https = exchange instanceof HttpsExchange;
        if (path.equals(LOGOUT)) {
            if (!method.equals("POST")) {
                throw new HttpError(405, "use POST", Map.of("Allow", "POST"));
            }
            sessions.end(exchange.getRequestHeaders().getFirst("Cookie"));
            return Response.noContent().withHeader("Set-Cookie", Sessions.clearCookie());
        }
        if (method.equals("GET")) {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("passwordSet", account == null || account.hasPassword());
            state.put("loggedIn", sessions.valid(exchange.getRequestHeaders().getFirst("Cookie")) || open(exchange));
            return new Json().response(200, state);
        }
        if (!method.equals("POST")) {
            throw new HttpError(405, "use GET or POST", Map.of("Allow", "GET, POST"));
        }
        if (account == null) {
            throw new HttpError(404, "this server has no page login");
        }
        String client = exchange.getRemoteAddress().getAddress().getHostAddress();
        long wait = sessions.lockedFor(client);
        if (wait > 0) {
            throw new HttpError(429, "too many wrong passwords; try again in " + (wait / 1000 + 1) + " s",
                    Map.of("Retry-After", Long.toString(wait / 1000 + 1)));
        }
        JsonNode json = body.read();
        String password = text(json, "password");
        if (!account.hasPassword()) {
            String code = text(json, "setupCode");
            if (code == null || !equal(code.trim().toUpperCase(java.util.Locale.ROOT), setupCode)) {
                sessions.failed(client);
                LOG.warn("admin page: wrong setup code from {}", client);
                throw new HttpError(401, "no admin password is set yet: give the setup code the box printed at start"
                        + " (also in its log) and a new password");
            }
            try {
                account.setPassword(password);
            } catch (InvalidInputException e) {
                throw new HttpError(400, e.field() + ": " + e.reason());
            } catch (ProvisioningException e) {
                LOG.error("cannot store the admin password: {}", e.getMessage(), e);
                throw new HttpError(500, "cannot store the password; see the log");
            }
            setupCode = null;
            removeSetupCodeFile();
        } else if (password == null || !account.verify(password)) {
            sessions.failed(client);
            LOG.warn("admin page: wrong password from {}", client);
            throw new HttpError(401, "wrong password");
        }
        sessions.succeeded(client);
        LOG.info("admin page: {} logged in", client);
        return Response.noContent().withHeader("Set-Cookie", Sessions.setCookie(sessions.create(), https));
    }

    private void removeSetupCodeFile() {
        java.nio.file.Path file = setupCodeFile;
        if (file != null) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException e) {
                LOG.warn("cannot remove {}: {}", file, e.getMessage());
            }
        }
    }

    /** Plain HTTP without a token: the API is open (the admin address is loopback then). */
    private boolean open(HttpExchange exchange) {
        return bearer == null && !(exchange instanceof HttpsExchange);
    }

    private static String text(JsonNode json, String field) throws HttpError {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new HttpError(400, field + ": must be a string");
        }
        return v.textValue();
    }

    private static boolean equal(String a, String b) {
        return b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the request's JSON body (the handler's checks: type, size). */
    @FunctionalInterface
    interface JsonReader {
        JsonNode read() throws HttpError;
    }
}
