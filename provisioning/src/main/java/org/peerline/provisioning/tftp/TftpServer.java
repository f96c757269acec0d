package org.peerline.provisioning.tftp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only TFTP server (RFC 1350 with RFC 2347 options: blksize, timeout, tsize) from which desk phones fetch
 * their configuration files. One daemon thread ("tftp-listen") reads requests; each accepted read runs on a pool
 * thread ("tftp-N") from its own socket. At most {@value #MAX_TRANSFERS} transfers run at once; beyond that requests
 * get ERROR 0 "server busy, retry". Write requests are refused. See the package documentation for the details.
 */
public final class TftpServer implements AutoCloseable {
    /** Transfers in progress at most; also the most pool threads. */
    static final int MAX_TRANSFERS = 32;
    /** Milliseconds {@link #close} waits for the threads to end. */
    static final int CLOSE_WAIT_MILLIS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(TftpServer.class);
    /** Largest UDP payload; requests are small, but a truncated one must not look well formed. */
    private static final int MAX_PACKET = 65536;
    private static final int IDLE_THREAD_SECONDS = 30;

    /**
     * Where files come from. Called on a pool thread, possibly from several at once, so it must be thread-safe.
     */
    @FunctionalInterface
    public interface FileSource {
        /**
         * Returns a file's contents.
         *
         * @param fileName the name as the client asked for it, without one leading '/'; may contain '/', so an
         *                 implementation that maps names to paths must guard against ".."
         * @param client   the client's address and port
         * @return the bytes to send, or empty if there is no such file (the client gets ERROR 1)
         */
        Optional<byte[]> read(String fileName, InetSocketAddress client);
    }

    private final DatagramSocket socket;
    private final InetSocketAddress bound;
    private final FileSource source;
    private final ThreadPoolExecutor pool;
    private final Map<InetSocketAddress, Transfer> transfers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread listener;

    private TftpServer(DatagramSocket socket, FileSource source) {
        this.socket = socket;
        this.bound = new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
        this.source = source;
        this.pool = new ThreadPoolExecutor(MAX_TRANSFERS, MAX_TRANSFERS, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons());
        pool.allowCoreThreadTimeOut(true);
        this.listener = new Thread(this::listen, "tftp-listen");
        listener.setDaemon(true);
    }

    /**
     * Binds the listening socket and starts serving.
     *
     * @param listen the address to listen on; port 0 picks a free port, the usual TFTP port is 69
     * @param source where the files come from
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static TftpServer start(InetSocketAddress listen, FileSource source) throws IOException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(source, "source");
        TftpServer server = new TftpServer(new DatagramSocket(listen), source);
        server.listener.start();
        LOG.info("tftp: listening on {}", server.address());
        return server;
    }

    /**
     * Returns the listening address, with the real port if port 0 was asked for.
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return bound;
    }

    /** Stops listening and aborts the transfers in progress. Calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        socket.close();
        pool.shutdownNow();
        try {
            listener.join(CLOSE_WAIT_MILLIS);
            transfers.values().forEach(Transfer::abort);
            pool.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            transfers.values().forEach(Transfer::abort);
            Thread.currentThread().interrupt();
        }
        LOG.info("tftp: stopped");
    }

    private void listen() {
        byte[] buffer = new byte[MAX_PACKET];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed.get()) {
            packet.setLength(buffer.length);
            try {
                socket.receive(packet);
                handle(buffer, packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.warn("tftp: listening socket: {}", e.toString());
                }
            } catch (RuntimeException e) {
                LOG.error("tftp: unexpected failure handling a request", e);
            }
        }
    }

    private void handle(byte[] packet, int length, InetSocketAddress client) throws IOException {
        int opcode = Packets.opcode(packet, length);
        if (opcode == Packets.ERROR) {
            return; // an ERROR is never answered (RFC 1350 section 7)
        }
        Request request;
        try {
            request = Request.parse(packet, length);
        } catch (RequestRefused e) {
            LOG.debug("tftp: refused a malformed packet from {} (opcode {}, {} bytes): {}", client, opcode, length,
                    e.getMessage());
            sendError(client, e.error(), e.getMessage());
            return;
        }
        try {
            accept(request, client);
        } catch (RequestRefused e) {
            refuse(client, request.fileName(), e);
        }
    }

    private void accept(Request request, InetSocketAddress client) throws RequestRefused, IOException {
        if (!request.isRead()) {
            throw new RequestRefused(TftpError.ACCESS_VIOLATION, "read-only server");
        }
        if (!request.hasKnownMode()) {
            throw new RequestRefused(TftpError.ILLEGAL_OPERATION,
                    "unsupported mode '" + Packets.printable(request.mode()) + "'");
        }
        Negotiated options = Negotiated.of(request.options());
        if (transfers.containsKey(client)) {
            return; // the client sent its RRQ again while the transfer runs: the transfer answers it
        }
        if (transfers.size() >= MAX_TRANSFERS) {
            throw new RequestRefused(TftpError.NOT_DEFINED, "server busy, retry");
        }
        startTransfer(request, client, options);
    }

    private void startTransfer(Request request, InetSocketAddress client, Negotiated options) throws IOException {
        DatagramSocket transferSocket = new DatagramSocket(new InetSocketAddress(socket.getLocalAddress(), 0));
        Transfer transfer = new Transfer(transferSocket, client, request, options, source, this::finished);
        transfers.put(client, transfer);
        try {
            pool.execute(transfer);
        } catch (RejectedExecutionException e) {
            transfers.remove(client, transfer);
            transfer.abort(); // the server is closing
        }
    }

    private void finished(Transfer transfer) {
        transfers.remove(transfer.client(), transfer);
    }

    private void refuse(InetSocketAddress client, String fileName, RequestRefused refusal) throws IOException {
        LOG.info("tftp: refused {} to {}: {}", fileName, client, refusal.getMessage());
        sendError(client, refusal.error(), refusal.getMessage());
    }

    private void sendError(InetSocketAddress client, TftpError error, String message) throws IOException {
        byte[] packet = Packets.error(error, message);
        socket.send(new DatagramPacket(packet, packet.length, client));
    }

    private static ThreadFactory daemons() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "tftp-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
