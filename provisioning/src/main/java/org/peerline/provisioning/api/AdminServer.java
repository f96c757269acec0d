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
        return new AdminServer(AdminHttpServer.start(listen, token, users, null));
    }

    /**
     * Binds and starts the admin API with the phone paths too: {@code GET/POST /api/phones},
     * {@code GET/DELETE /api/phones/{mac}}.
     *
     * @param listen the address to bind
     * @param token  the bearer token, or null
     * @param users  the users to manage
     * @param phones the phones to manage
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static AdminServer start(InetSocketAddress listen, String token, Users users, Phones phones)
            throws IOException {
        return new AdminServer(AdminHttpServer.start(listen, token, users, Objects.requireNonNull(phones, "phones")));
    }

    /**
     * Starts a server of its own that serves only phone files, for {@code provisioning.http}.
     *
     * @param listen the address to bind
     * @param files  the phone files
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static AdminServer startPhoneFilesOnly(InetSocketAddress listen, PhoneFiles files) throws IOException {
        return new AdminServer(AdminHttpServer.startPhoneFilesOnly(listen, files));
    }

    /**
     * Serves {@code GET /provision/<file>} to phones on this server from now on. These paths need no token: a phone
     * has none; {@link PhoneFiles} limits what a client can learn.
     *
     * @param files the phone files
     */
    public void servePhoneFiles(PhoneFiles files) {
        server.servePhoneFiles(Objects.requireNonNull(files, "files"));
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
