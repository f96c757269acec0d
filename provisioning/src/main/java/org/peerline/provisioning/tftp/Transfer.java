package org.peerline.provisioning.tftp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read transfer, run on a pool thread from its own socket (its own TID, RFC 1350 section 4). Lock-step: each
 * DATA (or the OACK) is sent again when no ACK arrives within the timeout, at most {@value #MAX_RETRANSMISSIONS}
 * times. ACKs of earlier blocks are ignored, so a delayed ACK never causes a second copy of a block (the "sorcerer's
 * apprentice" bug, RFC 1123 section 4.2.3.1). Packets from any other address or port get ERROR 5.
 */
final class Transfer implements Runnable {
    static final int MAX_RETRANSMISSIONS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);
    private static final int RECEIVE_BUFFER = 1024;

    /** What became of a wait for an ACK. */
    private enum Ack { RECEIVED, TIMED_OUT, ABORTED }

    private final DatagramSocket socket;
    private final InetSocketAddress client;
    private final Request request;
    private final Negotiated options;
    private final TftpServer.FileSource source;
    private final Consumer<Transfer> onDone;
    private final DatagramPacket in = new DatagramPacket(new byte[RECEIVE_BUFFER], RECEIVE_BUFFER);
    private volatile boolean aborted;

    Transfer(DatagramSocket socket, InetSocketAddress client, Request request, Negotiated options,
            TftpServer.FileSource source, Consumer<Transfer> onDone) {
        this.socket = socket;
        this.client = client;
        this.request = request;
        this.options = options;
        this.source = source;
        this.onDone = onDone;
    }

    InetSocketAddress client() {
        return client;
    }

    /** Stops the transfer from any thread: closes its socket, which ends a wait in progress. */
    void abort() {
        aborted = true;
        socket.close();
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        try {
            byte[] payload = payload();
            if (payload != null) {
                send(payload, start);
            }
        } catch (IOException e) {
            if (aborted) {
                LOG.info("tftp: transfer of {} to {} aborted: server closing", request.fileName(), client);
            } else {
                LOG.warn("tftp: transfer of {} to {} failed: {}", request.fileName(), client, e.toString());
            }
        } finally {
            socket.close();
            onDone.accept(this);
        }
    }

    /** Reads the file from the source; returns null after sending the ERROR if it cannot be served. */
    private byte[] payload() throws IOException {
        Optional<byte[]> file;
        try {
            file = Objects.requireNonNull(source.read(request.fileName(), client), "FileSource returned null");
        } catch (RuntimeException e) {
            LOG.error("tftp: refused {} to {}: the file source failed", request.fileName(), client, e);
            sendError(client, TftpError.NOT_DEFINED, "internal error");
            return null;
        }
        if (file.isEmpty()) {
            LOG.debug("tftp: refused {} to {}: file not found", request.fileName(), client);
            sendError(client, TftpError.FILE_NOT_FOUND, "file not found");
            return null;
        }
        return request.isNetascii() ? Netascii.encode(file.get()) : file.get();
    }

    private void send(byte[] payload, long start) throws IOException {
        Map<String, String> acknowledged = options.acknowledged(request.options(), payload.length);
        if (!acknowledged.isEmpty()) {
            byte[] oack = Packets.oack(acknowledged);
            if (!sendUntilAcked(oack, oack.length, 0)) {
                return;
            }
        }
        long blocks = sendBlocks(payload);
        if (blocks >= 0) {
            LOG.info("tftp: sent {} to {}: {} bytes, {} blocks, {} ms", request.fileName(), client, payload.length,
                    blocks, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    /** Sends the DATA blocks; returns how many, or -1 if the transfer stopped before the last ACK. */
    private long sendBlocks(byte[] payload) throws IOException {
        int blockSize = options.blockSize();
        byte[] out = new byte[4 + blockSize];
        int offset = 0;
        long blocks = 0;
        while (true) {
            int length = Math.min(blockSize, payload.length - offset);
            int block = (int) ((blocks + 1) & 0xFFFF);
            if (!sendUntilAcked(out, Packets.data(out, block, payload, offset, length), block)) {
                return -1;
            }
            offset += length;
            blocks++;
            if (length < blockSize) {
                return blocks;
            }
        }
    }

    /** Sends a packet and waits for the ACK of {@code block}, sending again on each timeout. */
    private boolean sendUntilAcked(byte[] packet, int length, int block) throws IOException {
        DatagramPacket out = new DatagramPacket(packet, length, client);
        for (int sent = 0; sent <= MAX_RETRANSMISSIONS; sent++) {
            socket.send(out);
            Ack ack = awaitAck(block);
            if (ack != Ack.TIMED_OUT) {
                return ack == Ack.RECEIVED;
            }
        }
        LOG.info("tftp: gave up {} to {} at block {}: no ACK after {} retransmissions of {} s", request.fileName(),
                client, block, MAX_RETRANSMISSIONS, options.timeoutSeconds());
        return false;
    }

    private Ack awaitAck(int block) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return Ack.TIMED_OUT;
            }
            socket.setSoTimeout((int) left);
            in.setLength(RECEIVE_BUFFER);
            try {
                socket.receive(in);
            } catch (SocketTimeoutException e) {
                return Ack.TIMED_OUT;
            }
            Ack ack = classify(block);
            if (ack != null) {
                return ack;
            }
        }
    }

    /** Returns what the packet in {@link #in} means for the wait, or null to keep waiting. */
    private Ack classify(int block) throws IOException {
        int opcode = Packets.opcode(in.getData(), in.getLength());
        SocketAddress from = in.getSocketAddress();
        if (!client.equals(from)) {
            if (opcode != Packets.ERROR) {
                sendError(from, TftpError.UNKNOWN_TRANSFER_ID, "unknown transfer ID");
            }
            return null;
        }
        if (opcode == Packets.ACK && in.getLength() >= 4) {
            return Packets.u16(in.getData(), 2) == block ? Ack.RECEIVED : null;
        }
        if (opcode == Packets.ERROR) {
            LOG.info("tftp: {} aborted {} at block {}: {}", client, request.fileName(), block, errorText());
            return Ack.ABORTED;
        }
        LOG.info("tftp: {} sent opcode {} during the transfer of {}; aborted", client, opcode, request.fileName());
        sendError(client, TftpError.ILLEGAL_OPERATION, "illegal TFTP operation");
        return Ack.ABORTED;
    }

    private String errorText() {
        int length = in.getLength();
        if (length < 4) {
            return "short ERROR packet";
        }
        int end = 4;
        while (end < length && in.getData()[end] != 0) {
            end++;
        }
        String message = new String(in.getData(), 4, end - 4, StandardCharsets.ISO_8859_1);
        return "ERROR " + Packets.u16(in.getData(), 2) + " '" + Packets.printable(message) + "'";
    }

    private void sendError(SocketAddress to, TftpError error, String message) throws IOException {
        byte[] packet = Packets.error(error, message);
        socket.send(new DatagramPacket(packet, packet.length, to));
    }
}
