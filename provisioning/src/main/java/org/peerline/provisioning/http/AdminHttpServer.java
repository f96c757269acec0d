package org.peerline.provisioning.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.peerline.provisioning.api.PhoneFiles;
import org.peerline.provisioning.api.Phones;
import org.peerline.provisioning.api.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API: use {@link org.peerline.provisioning.api.AdminServer}. The JDK HTTP server with the admin
 * handler on a small bounded pool: {@value #THREADS} threads and a queue of {@value #QUEUE} exchanges; beyond that
 * the server's dispatcher thread runs the exchange itself, which stops it accepting more until one finishes.
 */
public final class AdminHttpServer implements AutoCloseable {
    static final int THREADS = 4;
    static final int QUEUE = 64;
    /** Seconds {@link #close} waits for requests in progress. */
    static final int CLOSE_WAIT_SECONDS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpServer.class);

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final AdminHandler handler;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminHttpServer(HttpServer server, ThreadPoolExecutor executor, AdminHandler handler) {
        this.server = server;
        this.executor = executor;
        this.handler = handler;
    }

    /**
     * Binds and starts the server.
     *
     * @param listen the address to bind; port 0 picks a free port
     * @param token  the bearer token clients must send, or null for no authentication
     * @param users  the users to serve
     * @param phones the phones to serve, or null for none
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static AdminHttpServer start(InetSocketAddress listen, String token, Users users, Phones phones)
            throws IOException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(users, "users");
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the admin token is empty; pass null to run without authentication");
        }
        AdminHandler handler = new AdminHandler(users, phones, token);
        HttpServer server = HttpServer.create(listen, 50);
        int port = server.getAddress().getPort();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), threads("peerline-admin-" + port + "-"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
        InetSocketAddress bound = server.getAddress();
        LOG.info("admin API listening on http://{}:{}/api/", bound.getHostString(), bound.getPort());
        if (token == null && !bound.getAddress().isLoopbackAddress()) {
            LOG.warn("admin API on {} has no token: anyone who can reach it can change users", bound);
        }
        return new AdminHttpServer(server, executor, handler);
    }

    /**
     * Returns the bound address, with the real port if port 0 was asked for.
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Serves the JSON serialisation of {@code body.get()} on {@code GET path}.
     *
     * @param path the exact path, for example {@code /api/registrations}
     * @param body called on each request, on a server thread, with the query's parameters
     */
    public void servePhoneFiles(PhoneFiles files) {
        handler.servePhoneFiles(files);
    }

    /**
     * Starts a server that serves only phone files ({@code /provision/...}), for a provisioning address of its own.
     *
     * @param listen the address to bind
     * @param files  the files
     * @return the running server (close it like any)
     * @throws IOException if the address cannot be bound
     */
    public static AdminHttpServer startPhoneFilesOnly(InetSocketAddress listen, PhoneFiles files) throws IOException {
        HttpServer server = HttpServer.create(listen, 50);
        int port = server.getAddress().getPort();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), threads("peerline-provision-" + port + "-"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        server.createContext("/", new PhoneFileHandler(files));
        server.setExecutor(executor);
        server.start();
        LOG.info("phone provisioning on http://{}:{}{}", server.getAddress().getHostString(),
                server.getAddress().getPort(), PhoneFileHandler.PREFIX);
        return new AdminHttpServer(server, executor, null);
    }

    public void addTextGet(String path, String contentType, java.util.function.Supplier<String> body) {
        handler.addTextGet(path, contentType, body);
    }

    public void addJsonGet(String path, Function<Map<String, String>, Object> body) {
        handler.addJsonGet(path, body);
    }

    /** Stops accepting requests, then waits briefly for requests in progress. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
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
