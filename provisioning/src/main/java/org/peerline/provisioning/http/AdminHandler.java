package org.peerline.provisioning.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.peerline.provisioning.api.AdminAccount;
import org.peerline.provisioning.api.ExtensionTakenException;
import org.peerline.provisioning.api.InUseException;
import org.peerline.provisioning.api.InvalidInputException;
import org.peerline.provisioning.api.Phone;
import org.peerline.provisioning.api.PhoneFiles;
import org.peerline.provisioning.api.Phones;
import org.peerline.provisioning.api.ProvisioningException;
import org.peerline.provisioning.api.UnknownUserException;
import org.peerline.provisioning.api.User;
import org.peerline.provisioning.api.UserExistsException;
import org.peerline.provisioning.api.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes every request of the admin API: authentication first (so unauthenticated clients learn nothing about
 * paths), then path, method, content type, size and body. Every response, errors included, is JSON.
 */
final class AdminHandler implements HttpHandler {
    /** Largest accepted request body. */
    static final int MAX_BODY = 64 * 1024;
    static final String HEALTH = "/api/health";
    static final String USERS = "/api/users";
    static final String PHONES = "/api/phones";

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final Users users;
    /** Null when the server manages users only. */
    private final Phones phones;
    private final PageAuth pageAuth;
    private final StaticFiles page = new StaticFiles();
    private volatile PhoneFileHandler phoneFiles;
    private final Map<String, Download> downloads = new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Json json = new Json();
    private final Map<String, Function<Map<String, String>, Object>> extraGets = new ConcurrentHashMap<>();
    private final Map<String, TextGet> textGets = new ConcurrentHashMap<>();

    /** A read-only endpoint with a body that is not JSON (e.g. Prometheus' text format). */
    record TextGet(String contentType, java.util.function.Supplier<String> body) {
    }

    /** A file to download, e.g. a backup. */
    record Download(String contentType, String fileName, java.util.function.Supplier<byte[]> body) {
    }

    /** An upload of one content type, answered with JSON; IllegalArgumentException from the function is a 400. */
    record Upload(String contentType, int maxBytes, Function<byte[], Object> body) {
    }

    /**
     * Creates the handler; {@code token} null means no token, {@code phones} null no phone paths, {@code account}
     * null no page login.
     */
    AdminHandler(Users users, Phones phones, String token, AdminAccount account) {
        this.users = Objects.requireNonNull(users, "users");
        this.phones = phones;
        this.pageAuth = new PageAuth(token == null ? null : new BearerAuth(token), account);
    }

    String setupCode() {
        return pageAuth.setupCode();
    }

    void keepSetupCodeIn(java.nio.file.Path file) throws IOException {
        pageAuth.keepSetupCodeIn(file);
    }

    void addDownload(String path, String contentType, String fileName, java.util.function.Supplier<byte[]> body) {
        claim(path);
        downloads.put(path, new Download(contentType, fileName, body));
    }

    private static boolean isUnder(String path, String root) {
        return path.equals(root) || path.startsWith(root + "/");
    }

    void addUpload(String path, String contentType, int maxBytes, Function<byte[], Object> body) {
        if (!path.startsWith("/api/") || uploads.putIfAbsent(path, new Upload(contentType, maxBytes, body)) != null) {
            throw new IllegalArgumentException("cannot add POST " + path);
        }
    }

    private void claim(String path) {
        if (!path.startsWith("/") || path.equals(HEALTH) || isUnder(path, USERS) || isUnder(path, PHONES)
                || extraGets.containsKey(path) || textGets.containsKey(path) || downloads.containsKey(path)) {
            throw new IllegalArgumentException("cannot add GET " + path + ": taken, or not a path of its own");
        }
    }

    void addJsonGet(String path, Function<Map<String, String>, Object> body) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        if (!path.startsWith("/") || path.equals(HEALTH) || path.startsWith(USERS) || path.startsWith(PHONES)) {
            throw new IllegalArgumentException("cannot add GET " + path + ": the path must start with '/' and must "
                    + "not be " + HEALTH + " or under " + USERS);
        }
        if (extraGets.putIfAbsent(path, body) != null) {
            throw new IllegalArgumentException("GET " + path + " is already registered");
        }
    }

    void addTextGet(String path, String contentType, java.util.function.Supplier<String> body) {
        claim(path);
        textGets.put(path, new TextGet(contentType, body));
    }

    /** Serves {@code /provision/...} to phones, without the token, from now on. */
    void servePhoneFiles(PhoneFiles files, boolean requireDigest) {
        phoneFiles = new PhoneFileHandler(files, requireDigest);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        PhoneFileHandler files = phoneFiles;
        String raw = exchange.getRequestURI().getRawPath();
        if (files != null && raw != null && raw.startsWith(PhoneFileHandler.PREFIX)) {
            files.handle(exchange);
            return;
        }
        long start = System.nanoTime();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Response response;
        boolean head = "HEAD".equals(method);
        try {
            // HEAD is GET without the body (RFC 9110 section 9.3.2)
            response = route(exchange, head ? "GET" : method, path == null ? "" : path);
        } catch (HttpError e) {
            response = json.error(e.status(), e.getMessage());
            for (Map.Entry<String, String> header : e.headers().entrySet()) {
                response = response.withHeader(header.getKey(), header.getValue());
            }
        } catch (RuntimeException e) {
            LOG.warn("{} {}: internal error", method, path, e);
            response = json.error(500, "internal error; see the log");
        }
        try {
            send(exchange, response, head);
        } finally {
            exchange.close();
            LOG.debug("{} {} {} -> {} ({} ms)", exchange.getRemoteAddress(), method, path, response.status(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    private Response route(HttpExchange exchange, String method, String path) throws HttpError {
        if (StaticFiles.isPagePath(path)) {
            allow(method, "GET");
            return page.get(path).orElseThrow(() -> new HttpError(404, "no such file: " + path));
        }
        if (path.equals(PageAuth.LOGIN) || path.equals(PageAuth.LOGOUT)) {
            return pageAuth.route(exchange, method, path, () -> readJson(exchange));
        }
        pageAuth.authorize(exchange, method);
        Download download = downloads.get(path);
        Upload upload = uploads.get(path);
        if (download != null && method.equals("GET")) {
            return new Response(200, download.body().get(), Map.of("Content-Type", download.contentType(),
                    "Content-Disposition", "attachment; filename=\"" + download.fileName() + "\""));
        }
        if (upload != null && method.equals("POST")) {
            return upload(exchange, upload);
        }
        if (download != null || upload != null) {
            throw notAllowed(method, download == null ? "POST" : upload == null ? "GET" : "GET, POST");
        }
        if (path.equals(HEALTH)) {
            allow(method, "GET");
            return json.response(200, Map.of("status", "ok"));
        }
        if (path.equals(USERS)) {
            return switch (method) {
                case "GET" -> list();
                case "POST" -> create(exchange);
                default -> throw notAllowed(method, "GET, POST");
            };
        }
        if (path.startsWith(USERS + "/")) {
            String raw = path.substring(USERS.length() + 1);
            if (raw.isEmpty() || raw.indexOf('/') >= 0) {
                throw new HttpError(404, "no such resource: " + path);
            }
            String name = PathSegments.decode(raw);
            return switch (method) {
                case "GET" -> get(name);
                case "PATCH" -> patch(exchange, name);
                case "DELETE" -> delete(name);
                default -> throw notAllowed(method, "GET, PATCH, DELETE");
            };
        }
        if (phones != null && (path.equals(PHONES) || path.startsWith(PHONES + "/"))) {
            return phoneRoute(exchange, method, path);
        }
        TextGet text = textGets.get(path);
        if (text != null) {
            allow(method, "GET");
            return new Response(200, text.body().get().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Map.of("Content-Type", text.contentType()));
        }
        Function<Map<String, String>, Object> extra = extraGets.get(path);
        if (extra != null) {
            allow(method, "GET");
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            try {
                return json.response(200, extra.apply(query));
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, e.getMessage());
            } catch (NoSuchElementException e) {
                throw new HttpError(404, e.getMessage());
            }
        }
        throw new HttpError(404, "no such resource: " + path);
    }

    private Response list() {
        ObjectNode body = json.object();
        ArrayNode array = body.putArray("users");
        for (User user : users.list()) {
            array.add(json.user(user));
        }
        return json.response(200, body);
    }

    private Response get(String name) throws HttpError {
        User user = users.find(name).orElseThrow(() -> new HttpError(404, "no user '" + name + "'"));
        return json.response(200, json.user(user));
    }

    private Response create(HttpExchange exchange) throws HttpError {
        JsonNode body = readJson(exchange);
        User user = call(() -> users.add(UserRequests.newUser(body)));
        return json.response(201, json.user(user))
                .withHeader("Location", USERS + "/" + PathSegments.encode(user.name()));
    }

    private Response patch(HttpExchange exchange, String name) throws HttpError {
        JsonNode body = readJson(exchange);
        User user = call(() -> users.update(name, UserRequests.update(body)));
        return json.response(200, json.user(user));
    }

    private Response delete(String name) throws HttpError {
        if (!call(() -> users.remove(name))) {
            throw new HttpError(404, "no user '" + name + "'");
        }
        return Response.noContent();
    }

    private Response phoneRoute(HttpExchange exchange, String method, String path) throws HttpError {
        if (path.equals(PHONES)) {
            return switch (method) {
                case "GET" -> {
                    ObjectNode body = json.object();
                    ArrayNode array = body.putArray("phones");
                    phones.list().forEach(p -> array.add(json.phone(p, false)));
                    yield json.response(200, body);
                }
                case "POST" -> {
                    JsonNode body = readJson(exchange);
                    Phone phone = call(() -> phones.add(UserRequests.newPhone(body)));
                    yield json.response(201, json.phone(phone, true)).withHeader("Location", PHONES + "/" + phone.mac());
                }
                default -> throw notAllowed(method, "GET, POST");
            };
        }
        String mac = PathSegments.decode(path.substring(PHONES.length() + 1));
        return switch (method) {
            case "GET" -> json.response(200, json.phone(phones.find(mac)
                    .orElseThrow(() -> new HttpError(404, "no phone '" + mac + "'")), true));
            case "DELETE" -> {
                if (!call(() -> phones.remove(mac))) {
                    throw new HttpError(404, "no phone '" + mac + "'");
                }
                yield Response.noContent();
            }
            default -> throw notAllowed(method, "GET, DELETE");
        };
    }

    private Response upload(HttpExchange exchange, Upload upload) throws HttpError {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String media = type == null ? "" : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals(upload.contentType())) {
            throw new HttpError(415, "Content-Type must be " + upload.contentType() + (type == null ? "" : ", not " + type));
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(upload.maxBytes() + 1);
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
        if (body.length > upload.maxBytes()) {
            throw new HttpError(413, "the upload is larger than " + upload.maxBytes() + " bytes",
                    Map.of("Connection", "close"));
        }
        try {
            return json.response(200, upload.body().apply(body));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    /** Reads a JSON body: 415 unless it is declared as JSON, 413 if larger than {@link #MAX_BODY}. */
    private JsonNode readJson(HttpExchange exchange) throws HttpError {
        Headers headers = exchange.getRequestHeaders();
        String type = headers.getFirst("Content-Type");
        if (!isJson(type)) {
            throw new HttpError(415, "Content-Type must be application/json"
                    + (type == null ? "" : ", not " + type));
        }
        String length = headers.getFirst("Content-Length");
        if (length != null && isLarger(length.trim())) {
            throw tooLarge();
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
        if (body.length > MAX_BODY) {
            throw tooLarge();
        }
        return json.parse(body);
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return media.toLowerCase(Locale.ROOT).equals("application/json");
    }

    private static boolean isLarger(String contentLength) {
        try {
            return Long.parseLong(contentLength) > MAX_BODY;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static HttpError tooLarge() {
        return new HttpError(413, "the request body is larger than " + MAX_BODY + " bytes",
                Map.of("Connection", "close"));
    }

    private static void allow(String method, String allowed) throws HttpError {
        if (!method.equals(allowed)) {
            throw notAllowed(method, allowed);
        }
    }

    private static HttpError notAllowed(String method, String allowed) {
        return new HttpError(405, "method " + method + " is not allowed here; use " + allowed,
                Map.of("Allow", allowed));
    }

    /** Calls the store and maps its exceptions to statuses. */
    private static <T> T call(StoreCall<T> call) throws HttpError {
        try {
            return call.run();
        } catch (InvalidInputException e) {
            throw new HttpError(400, jsonField(e.field()) + ": " + e.reason());
        } catch (UserExistsException | ExtensionTakenException | InUseException e) {
            throw new HttpError(409, e.getMessage());
        } catch (UnknownUserException e) {
            throw new HttpError(404, e.getMessage());
        } catch (ProvisioningException e) {
            LOG.error("user store failed: {}", e.getMessage(), e);
            throw new HttpError(500, "the user store failed; see the log");
        }
    }

    /** The API calls the display name "display". */
    /** The query's parameters, percent-decoded; a name given twice is refused (400). */
    private static Map<String, String> query(String raw) throws HttpError {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            // the server has parsed the request URI already, so every escape here is well formed
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (out.putIfAbsent(name, value) != null) {
                throw new HttpError(400, "query parameter '" + name + "' is given twice");
            }
        }
        return out;
    }

    private static String jsonField(String field) {
        return "displayName".equals(field) ? "display" : field;
    }

    private static void send(HttpExchange exchange, Response response, boolean head) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(headers::set);
        if (response.body() != null && !response.headers().containsKey("Content-Type")) {
            headers.set("Content-Type", "application/json; charset=utf-8");
        }
        if (response.body() == null || head) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), response.body().length);
        exchange.getResponseBody().write(response.body());
    }

    /** A store call whose exceptions {@link #call} maps to HTTP statuses. */
    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws ProvisioningException, HttpError;
    }
}
