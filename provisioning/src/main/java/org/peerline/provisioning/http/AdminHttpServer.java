package org.peerline.provisioning.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.peerline.provisioning.api.AdminAccount;
import org.peerline.provisioning.api.PhoneFiles;
import org.peerline.provisioning.api.Phones;
import org.peerline.provisioning.api.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API: use {@link org.peerline.provisioning.api.AdminServer}. The JDK HTTP server with the admin
 * handler on a small bounded pool: {@value #THREADS} threads and a queue of {@value #QUEUE} exchanges; beyond that
 * the server's dispatcher thread runs the exchange itself, which stops it accepting more until one finishes. An
 * HTTPS listener added with {@link #addHttps} shares the handler and the pool.
 */
public final class AdminHttpServer implements AutoCloseable {
    static final int THREADS = 4;
    static final int QUEUE = 64;
    /** Seconds {@link #close} waits for requests in progress. */
    static final int CLOSE_WAIT_SECONDS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpServer.class);

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor executor;
    private final HttpHandler handler;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminHttpServer(HttpServer server, ThreadPoolExecutor executor, HttpHandler handler) {
        this.servers.add(server);
        this.executor = executor;
        this.handler = handler;
    }

    /**
     * Binds and starts the server.
     *
     * @param listen  the address to bind; port 0 picks a free port
     * @param token   the bearer token clients must send, or null for no authentication over plain HTTP
     * @param users   the users to serve
     * @param phones  the phones to serve, or null for none
     * @param account the admin page's account (login), or null for no page login
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static AdminHttpServer start(InetSocketAddress listen, String token, Users users, Phones phones,
            AdminAccount account) throws IOException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(users, "users");
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the admin token is empty; pass null to run without authentication");
        }
        AdminHandler handler = new AdminHandler(users, phones, token, account);
        AdminHttpServer server = serve(HttpServer.create(listen, 50), handler, THREADS, "peerline-admin-");
        InetSocketAddress bound = server.address();
        LOG.info("admin API listening on http://{}:{}/api/", bound.getHostString(), bound.getPort());
        if (token == null && !bound.getAddress().isLoopbackAddress()) {
            LOG.warn("admin API on {} has no token: anyone who can reach it can change users", bound);
        }
        return server;
    }

    /**
     * Starts a server that serves only phone files ({@code /provision/...}), for a provisioning address of its own.
     *
     * @param listen the address to bind
     * @param files  the files
     * @param requireDigest phones must authenticate (HTTP digest: MAC and SIP password)
     * @return the running server (close it like any)
     * @throws IOException if the address cannot be bound
     */
    public static AdminHttpServer startPhoneFilesOnly(InetSocketAddress listen, PhoneFiles files, boolean requireDigest)
            throws IOException {
        AdminHttpServer server = serve(HttpServer.create(listen, 50), new PhoneFileHandler(files, requireDigest), 2,
                "peerline-provision-");
        LOG.info("phone provisioning on http://{}:{}{}", server.address().getHostString(), server.address().getPort(),
                PhoneFileHandler.PREFIX);
        return server;
    }

    private static AdminHttpServer serve(HttpServer http, HttpHandler handler, int threads, String name) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), threads(name + http.getAddress().getPort() + "-"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        http.createContext("/", handler);
        http.setExecutor(executor);
        http.start();
        return new AdminHttpServer(http, executor, handler);
    }

    /**
     * Serves the same handler over HTTPS at {@code listen} too. There, the API always needs a login session or the
     * token, and the session cookie is {@code Secure}.
     *
     * @param listen the address to bind
     * @param tls    the server's TLS context (its certificate)
     * @return the bound address
     * @throws IOException if the address cannot be bound
     */
    public InetSocketAddress addHttps(InetSocketAddress listen, SSLContext tls) throws IOException {
        HttpsServer https = HttpsServer.create(listen, 50);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/", handler);
        https.setExecutor(executor);
        https.start();
        servers.add(https);
        LOG.info("admin page on https://{}:{}/", https.getAddress().getHostString(), https.getAddress().getPort());
        return https.getAddress();
    }

    /**
     * Returns the bound address of the plain HTTP listener, with the real port if port 0 was asked for.
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return servers.get(0).getAddress();
    }

    /** Serves {@code /provision/...} to phones, without the token, from now on. */
    public void servePhoneFiles(PhoneFiles files, boolean requireDigest) {
        admin().servePhoneFiles(files, requireDigest);
    }

    /** The page's one-time setup code while no admin password is set, else null. */
    public String setupCode() {
        return admin().setupCode();
    }

    /** Writes the setup code, while there is one, to {@code file} for the console; removed once it is used. */
    public void keepSetupCodeIn(java.nio.file.Path file) throws IOException {
        admin().keepSetupCodeIn(file);
    }

    /** Serves text of {@code contentType} on {@code GET path}. */
    public void addTextGet(String path, String contentType, Supplier<String> body) {
        admin().addTextGet(path, contentType, body);
    }

    /** Serves the JSON serialisation of {@code body} (called with the query's parameters) on {@code GET path}. */
    public void addJsonGet(String path, Function<Map<String, String>, Object> body) {
        admin().addJsonGet(path, body);
    }

    /** Serves a download ({@code Content-Disposition: attachment}) on {@code GET path}. */
    public void addDownload(String path, String contentType, String fileName, Supplier<byte[]> body) {
        admin().addDownload(path, contentType, fileName, body);
    }

    /** Accepts an upload of {@code contentType} on {@code POST path}; the function's result is the JSON answer. */
    public void addUpload(String path, String contentType, int maxBytes, Function<byte[], Object> body) {
        admin().addUpload(path, contentType, maxBytes, body);
    }

    private AdminHandler admin() {
        if (handler instanceof AdminHandler a) {
            return a;
        }
        throw new IllegalStateException("this server serves phone files only");
    }

    /** Stops accepting requests, then waits briefly for requests in progress. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        servers.forEach(s -> s.stop(0));
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("admin API stopped");
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
