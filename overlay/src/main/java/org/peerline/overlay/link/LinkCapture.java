package org.peerline.overlay.link;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The overlay's debugging capture: the decrypted byte stream of every link, written as a classic pcap file
 * (Ethernet, IPv4 or IPv6, TCP) that Wireshark and tshark open directly, with no TLS keys to configure.
 * Each link is one TCP connection between its real addresses and ports, opened by the side that dialled:
 * a three-way handshake, the plaintext RELOAD frames in both directions with consistent sequence numbers
 * (each data segment acknowledged by a bare ACK from the other side, so Wireshark's TCP analysis stays
 * quiet), and a FIN exchange when the link closes. Decode it with Wireshark's RELOAD dissector, e.g.
 * {@code tshark -r FILE -d tcp.port==6084,reload-framing}.
 *
 * <p>This stands in for a TLS key log: the JDK's TLS 1.3 does not export its secrets. The file holds
 * everything the box said and heard in clear (signatures, stored values): a switch for debugging only.
 * Thread-safe: the links of several nodes may share one capture.
 */
public final class LinkCapture implements Closeable {
    /** Largest payload per captured segment (well under the 64 KiB window advertised). */
    static final int MAX_SEGMENT = 16 * 1024;
    private static final int WINDOW = 65535;

    private static final class Stream {
        final InetSocketAddress dialler;
        final InetSocketAddress listener;
        long diallerSeq = 1000;
        long listenerSeq = 5000;

        Stream(InetSocketAddress dialler, InetSocketAddress listener) {
            this.dialler = dialler;
            this.listener = listener;
        }
    }

    private final OutputStream out;
    private final Map<Object, Stream> streams = new HashMap<>();
    private boolean closed;

    private LinkCapture(OutputStream out) {
        this.out = out;
    }

    /** Creates (or truncates) {@code file} and writes the pcap header. */
    public static LinkCapture open(Path file) throws IOException {
        OutputStream o = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(WINDOW + 128)
                .putInt(1); // microsecond timestamps, snap length, LINKTYPE_ETHERNET
        o.write(h.array());
        o.flush();
        return new LinkCapture(o);
    }

    /** A link's connection is up: {@code dialler} opened it to {@code listener}. */
    public synchronized void opened(Object link, InetSocketAddress dialler, InetSocketAddress listener) {
        if (closed || streams.containsKey(link)) {
            return;
        }
        Stream s = new Stream(dialler, listener);
        streams.put(link, s);
        segment(s, true, 0x02, new byte[0], 0, 0);   // SYN
        s.diallerSeq++;
        segment(s, false, 0x12, new byte[0], 0, 0);  // SYN-ACK
        s.listenerSeq++;
        segment(s, true, 0x10, new byte[0], 0, 0);   // ACK
        flush();
    }

    /** Plaintext bytes sent on a link, by the side that dialled it or by the other. */
    public synchronized void bytes(Object link, boolean fromDialler, byte[] data, int offset, int length) {
        Stream s = streams.get(link);
        if (closed || s == null) {
            return;
        }
        for (int at = offset; at < offset + length; at += MAX_SEGMENT) {
            int n = Math.min(MAX_SEGMENT, offset + length - at);
            segment(s, fromDialler, 0x18, data, at, n);  // PSH, ACK
            if (fromDialler) {
                s.diallerSeq += n;
            } else {
                s.listenerSeq += n;
            }
            segment(s, !fromDialler, 0x10, new byte[0], 0, 0);
        }
        flush();
    }

    /** The link's connection closed (a FIN each way). */
    public synchronized void closed(Object link) {
        Stream s = streams.remove(link);
        if (closed || s == null) {
            return;
        }
        segment(s, true, 0x11, new byte[0], 0, 0);   // FIN, ACK
        s.diallerSeq++;
        segment(s, false, 0x11, new byte[0], 0, 0);
        s.listenerSeq++;
        segment(s, true, 0x10, new byte[0], 0, 0);
        flush();
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        streams.clear();
        out.close();
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            closed = true; // a debugging aid never takes the node down; the file ends where it could be written
        }
    }

    private void segment(Stream s, boolean fromDialler, int flags, byte[] data, int offset, int length) {
        InetSocketAddress src = fromDialler ? s.dialler : s.listener;
        InetSocketAddress dst = fromDialler ? s.listener : s.dialler;
        byte[] srcIp = src.getAddress().getAddress();
        byte[] dstIp = dst.getAddress().getAddress();
        if (srcIp.length != dstIp.length) {
            srcIp = asV6(srcIp);
            dstIp = asV6(dstIp);
        }
        long seq = fromDialler ? s.diallerSeq : s.listenerSeq;
        long ack = fromDialler ? s.listenerSeq : s.diallerSeq;
        ByteBuffer tcp = ByteBuffer.allocate(20 + length);
        tcp.putShort((short) src.getPort()).putShort((short) dst.getPort()).putInt((int) seq)
                .putInt(flags == 0x02 ? 0 : (int) ack).put((byte) 0x50).put((byte) flags).putShort((short) WINDOW)
                .putShort((short) 0).putShort((short) 0).put(data, offset, length);
        byte[] t = tcp.array();
        int sum = checksum(pseudoHeader(srcIp, dstIp, t.length), t);
        t[16] = (byte) (sum >>> 8);
        t[17] = (byte) sum;
        byte[] ip = srcIp.length == 4 ? ipv4(srcIp, dstIp, t.length) : ipv6(srcIp, dstIp, t.length);
        ByteBuffer eth = ByteBuffer.allocate(14);
        eth.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1})
                .putShort((short) (srcIp.length == 4 ? 0x0800 : 0x86dd));
        int len = 14 + ip.length + t.length;
        long micros = System.currentTimeMillis() * 1000 + System.nanoTime() / 1000 % 1000;
        ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        rec.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(len).putInt(len);
        try {
            out.write(rec.array());
            out.write(eth.array());
            out.write(ip);
            out.write(t);
        } catch (IOException e) {
            closed = true;
        }
    }

    private static byte[] ipv4(byte[] src, byte[] dst, int tcpLength) {
        ByteBuffer ip = ByteBuffer.allocate(20);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpLength)).putShort((short) 0)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0).put(src).put(dst);
        byte[] h = ip.array();
        int sum = checksum(new byte[0], h);
        h[10] = (byte) (sum >>> 8);
        h[11] = (byte) sum;
        return h;
    }

    private static byte[] ipv6(byte[] src, byte[] dst, int tcpLength) {
        return ByteBuffer.allocate(40).putInt(0x60000000).putShort((short) tcpLength).put((byte) 6).put((byte) 64)
                .put(src).put(dst).array();
    }

    private static byte[] pseudoHeader(byte[] src, byte[] dst, int tcpLength) {
        if (src.length == 4) {
            return ByteBuffer.allocate(12).put(src).put(dst).put((byte) 0).put((byte) 6).putShort((short) tcpLength)
                    .array();
        }
        return ByteBuffer.allocate(40).put(src).put(dst).putInt(tcpLength).putShort((short) 0).put((byte) 0)
                .put((byte) 6).array();
    }

    /** An IPv4 address as IPv4-mapped IPv6 (::ffff:a.b.c.d), for a link whose two ends differ in family. */
    private static byte[] asV6(byte[] ip) {
        if (ip.length == 16) {
            return ip;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ip, 0, mapped, 12, 4);
        return mapped;
    }

    private static int checksum(byte[] prefix, byte[] data) {
        long sum = 0;
        int total = prefix.length + data.length;
        for (int i = 0; i < total; i += 2) {
            int hi = byteAt(prefix, data, i);
            int lo = i + 1 < total ? byteAt(prefix, data, i + 1) : 0;
            sum += hi << 8 | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static int byteAt(byte[] prefix, byte[] data, int i) {
        return (i < prefix.length ? prefix[i] : data[i - prefix.length]) & 0xff;
    }
}
