package org.peerline.overlay.message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a classic pcap file (link type Ethernet) holding one TCP connection between two loopback
 * addresses: a three-way handshake, then each payload in its own segment with consistent sequence and
 * acknowledgement numbers, so that Wireshark reassembles the stream as it would a capture.
 */
final class Pcap {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int clientPort;
    private final int serverPort;
    private long clientSeq = 1000;
    private long serverSeq = 5000;
    private int micros;

    Pcap(int clientPort, int serverPort) {
        this.clientPort = clientPort;
        this.serverPort = serverPort;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.writeBytes(h.array());
        segment(true, 0x02, new byte[0]);   // SYN
        clientSeq++;
        segment(false, 0x12, new byte[0]);  // SYN-ACK
        serverSeq++;
        segment(true, 0x10, new byte[0]);   // ACK
    }

    /** Adds a segment from the client (fromClient) or the server carrying {@code payload}. */
    Pcap send(boolean fromClient, byte[] payload) {
        segment(fromClient, 0x18, payload);  // PSH, ACK
        if (fromClient) {
            clientSeq += payload.length;
        } else {
            serverSeq += payload.length;
        }
        return this;
    }

    void write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
    }

    private void segment(boolean fromClient, int flags, byte[] payload) {
        int srcIp = fromClient ? 0x7f000001 : 0x7f000002;
        int dstIp = fromClient ? 0x7f000002 : 0x7f000001;
        ByteBuffer tcp = ByteBuffer.allocate(20 + payload.length);
        tcp.putShort((short) (fromClient ? clientPort : serverPort)).putShort((short) (fromClient ? serverPort : clientPort))
                .putInt((int) (fromClient ? clientSeq : serverSeq))
                .putInt(flags == 0x02 ? 0 : (int) (fromClient ? serverSeq : clientSeq))
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
                .put(payload);
        byte[] t = tcp.array();
        int tcpSum = checksum(pseudoHeader(srcIp, dstIp, t.length), t);
        t[16] = (byte) (tcpSum >>> 8);
        t[17] = (byte) tcpSum;
        ByteBuffer ip = ByteBuffer.allocate(20);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + t.length)).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(srcIp).putInt(dstIp);
        byte[] iph = ip.array();
        int ipSum = checksum(new byte[0], iph);
        iph[10] = (byte) (ipSum >>> 8);
        iph[11] = (byte) ipSum;
        ByteBuffer eth = ByteBuffer.allocate(14);
        eth.put(new byte[] {0, 0, 0, 0, 0, 2}).put(new byte[] {0, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        int len = 14 + 20 + t.length;
        ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        micros += 1000;
        rec.putInt(1_796_000_000).putInt(micros).putInt(len).putInt(len);
        out.writeBytes(rec.array());
        out.writeBytes(eth.array());
        out.writeBytes(iph);
        out.writeBytes(t);
    }

    private static byte[] pseudoHeader(int src, int dst, int tcpLength) {
        return ByteBuffer.allocate(12).putInt(src).putInt(dst).put((byte) 0).put((byte) 6).putShort((short) tcpLength)
                .array();
    }

    private static int checksum(byte[] prefix, byte[] data) {
        long sum = 0;
        byte[] all = new byte[prefix.length + data.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(data, 0, all, prefix.length, data.length);
        for (int i = 0; i < all.length; i += 2) {
            int hi = all[i] & 0xff;
            int lo = i + 1 < all.length ? all[i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
