package org.peerline.provisioning.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.peerline.provisioning.http.AdminHttpServer;

/**
 * The box's admin HTTP API: JSON in and out, served by the JDK's {@code com.sun.net.httpserver} on a small bounded
 * thread pool. The endpoints:
 * <ul>
 *   <li>{@code GET /api/health} - {@code {"status":"ok"}}</li>
 *   <li>{@code GET /api/users} - {@code {"users":[...]}}, sorted by name</li>
 *   <li>{@code POST /api/users} with {@code {"name","password","extension","display"}} - 201 and the user</li>
 *   <li>{@code GET /api/users/{name}}, {@code PATCH /api/users/{name}} ({@code password}, {@code extension},
 *       {@code display}), {@code DELETE /api/users/{name}} - 204</li>
 * </ul>
 * A user is shown as {@code {"name","extension","display","created"}}; the HA1 and passwords never appear. Errors are
 * {@code {"error":"message"}} with 400 (malformed JSON, invalid field), 401 (token missing or wrong), 404, 405, 409
 * (user exists, extension taken), 413 (body over 64 KiB) or 415 (not {@code application/json}). The user name in a
 * path is percent-encoded ({@code /} as {@code %2F}; {@code +} is a plus sign).
 *
 * <p>With a token, every path (health included) requires {@code Authorization: Bearer <token>}.
 */
public final class AdminServer implements AutoCloseable {
    private final AdminHttpServer server;

    private AdminServer(AdminHttpServer server) {
        this.server = server;
    }

    /**
     * Binds and starts the admin API.
     *
     * @param listen the address to bind; port 0 picks a free port (see {@link #address()})
     * @param token  the bearer token clients must send, or null for no authentication (then bind to loopback)
     * @param users  the users to manage
     * @return the running server
     * @throws IOException              if the address cannot be bound
     * @throws IllegalArgumentException if {@code token} is empty or blank
     */
    public static AdminServer start(InetSocketAddress listen, String token, Users users) throws IOException {
        return new AdminServer(AdminHttpServer.start(listen, token, users, null, null));
    }

    /**
     * Binds and starts the whole admin API of a box: users, phones ({@code GET/POST /api/phones},
     * {@code GET/DELETE /api/phones/{mac}}) and the admin page with its login ({@code /}, {@code /ui/...},
     * {@code /api/login}, {@code /api/logout}; see {@link #addHttps}).
     *
     * @param listen       the address to bind (plain HTTP)
     * @param token        the bearer token, or null
     * @param provisioning the store
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static AdminServer start(InetSocketAddress listen, String token, Provisioning provisioning)
            throws IOException {
        return new AdminServer(AdminHttpServer.start(listen, token, provisioning.users(), provisioning.phones(),
                provisioning.admin()));
    }

    /**
     * Serves the page and the API over HTTPS at {@code listen} too. There the API needs a login (or the token)
     * even when plain HTTP is open, and the session cookie is {@code Secure}.
     *
     * @param listen the address to bind
     * @param tls    the TLS context with the server's certificate
     * @return the bound address (the real port when 0 was asked for)
     * @throws IOException if the address cannot be bound
     */
    public InetSocketAddress addHttps(InetSocketAddress listen, javax.net.ssl.SSLContext tls) throws IOException {
        return server.addHttps(listen, tls);
    }

    /**
     * Returns the one-time code that sets the first admin password on the page, while none is set.
     *
     * @return the code (like {@code ABCD-EFGH-JKLM}), or null once a password is set
     */
    public String setupCode() {
        return server.setupCode();
    }

    /**
     * Writes the setup code, while there is one, to {@code file} (owner-only), for an appliance's console to show;
     * the file is removed when the page sets the password, and now if there is no code.
     *
     * @param file the file, e.g. {@code DATA/admin/setup-code}
     * @throws IOException if it cannot be written
     */
    public void keepSetupCodeIn(java.nio.file.Path file) throws IOException {
        server.keepSetupCodeIn(file);
    }

    /**
     * Adds a download, e.g. {@code GET /api/backup}, behind the same authentication.
     *
     * @param path        the exact path
     * @param contentType its media type
     * @param fileName    the name the browser saves it as
     * @param body        called for each request; a RuntimeException is a 500
     */
    public void addDownload(String path, String contentType, String fileName, Supplier<byte[]> body) {
        server.addDownload(path, contentType, fileName, body);
    }

    /**
     * Adds an upload of one media type on {@code POST path} (under {@code /api/}), answered with the JSON of the
     * function's result; an {@link IllegalArgumentException} is a 400 with its message.
     *
     * @param path        the exact path
     * @param contentType the accepted media type (415 otherwise)
     * @param maxBytes    the largest body (413 beyond)
     * @param body        called with the body
     */
    public void addUpload(String path, String contentType, int maxBytes, Function<byte[], Object> body) {
        server.addUpload(path, contentType, maxBytes, body);
    }

    /**
     * Starts a server of its own that serves only phone files, for {@code provisioning.http}.
     *
     * @param listen the address to bind
     * @param files  the phone files
     * @param requireDigest phones must authenticate with HTTP digest (user name: the MAC; password: the phone's
     *                      SIP password), and can then fetch only their own files
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static AdminServer startPhoneFilesOnly(InetSocketAddress listen, PhoneFiles files, boolean requireDigest)
            throws IOException {
        return new AdminServer(AdminHttpServer.startPhoneFilesOnly(listen, files, requireDigest));
    }

    /**
     * Serves {@code GET /provision/<file>} to phones on this server from now on. These paths need no token: a phone
     * has none; {@link PhoneFiles} limits what a client can learn.
     *
     * @param files the phone files
     * @param requireDigest phones must authenticate with HTTP digest (user name: the MAC; password: the phone's
     *                      SIP password), and can then fetch only their own files
     */
    public void servePhoneFiles(PhoneFiles files, boolean requireDigest) {
        server.servePhoneFiles(Objects.requireNonNull(files, "files"), requireDigest);
    }

    /**
     * Returns the bound address, with the real port if port 0 was asked for.
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return server.address();
    }

    /**
     * Adds a read-only JSON endpoint, for example {@code /api/registrations}. It requires the token like every
     * other path and answers only GET (405 otherwise).
     *
     * @param path the exact path; must start with {@code /} and must not be {@code /api/health} or under
     *             {@code /api/users}
     * @param body called on a server thread for each request; its result is serialised with Jackson (records,
     *             collections, maps; {@code java.time} values as ISO-8601 strings). If it throws, the client gets
     *             a 500.
     * @throws IllegalArgumentException if the path is invalid, reserved or already added
     */
    public void addJsonGet(String path, Supplier<Object> body) {
        Objects.requireNonNull(body, "body");
        server.addJsonGet(path, query -> body.get());
    }

    /**
     * Adds a read-only JSON endpoint that takes query parameters, for example {@code /api/overlay/trace?aor=...}.
     * As {@link #addJsonGet(String, Supplier)}; the function gets the parameters percent-decoded (a parameter
     * given twice is a 400). If it throws {@link IllegalArgumentException} the client gets a 400 with its message,
     * if {@link java.util.NoSuchElementException} a 404.
     *
     * @param path the exact path
     * @param body called on a server thread for each request, with the query's parameters
     */
    public void addJsonQuery(String path, Function<Map<String, String>, Object> body) {
        server.addJsonGet(path, body);
    }

    /**
     * Adds a read-only endpoint whose body is text of {@code contentType} (e.g. Prometheus metrics at
     * {@code /metrics}), behind the same authentication as the rest.
     */
    public void addTextGet(String path, String contentType, Supplier<String> body) {
        server.addTextGet(path, contentType, body);
    }

    /** Stops the server, waiting up to two seconds for requests in progress. Closing twice does nothing. */
    @Override
    public void close() {
        server.close();
    }
}
