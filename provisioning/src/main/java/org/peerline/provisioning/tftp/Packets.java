package org.peerline.provisioning.tftp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Opcodes and encoders of TFTP packets (RFC 1350 section 5, RFC 2347 for OACK). */
final class Packets {
    static final int RRQ = 1;
    static final int WRQ = 2;
    static final int DATA = 3;
    static final int ACK = 4;
    static final int ERROR = 5;
    static final int OACK = 6;

    private Packets() {
    }

    /**
     * Returns the opcode of a packet.
     *
     * @return the opcode, or -1 if the packet is shorter than two bytes
     */
    static int opcode(byte[] packet, int length) {
        return length < 2 ? -1 : u16(packet, 0);
    }

    /** Returns the unsigned 16-bit big-endian number at {@code offset}. */
    static int u16(byte[] packet, int offset) {
        return (packet[offset] & 0xFF) << 8 | packet[offset + 1] & 0xFF;
    }

    /**
     * Writes a DATA packet into {@code out}, which must hold {@code 4 + length} bytes.
     *
     * @param block the block number; only its low 16 bits are sent, so numbers wrap from 65535 to 0
     * @return the packet's length
     */
    static int data(byte[] out, int block, byte[] payload, int offset, int length) {
        putU16(out, 0, DATA);
        putU16(out, 2, block);
        System.arraycopy(payload, offset, out, 4, length);
        return 4 + length;
    }

    /** Returns an ERROR packet; the message is sent as ASCII with a terminating NUL. */
    static byte[] error(TftpError error, String message) {
        byte[] text = message.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[4 + text.length + 1];
        putU16(out, 0, ERROR);
        putU16(out, 2, error.code);
        System.arraycopy(text, 0, out, 4, text.length);
        return out;
    }

    /** Returns an OACK packet with the options in the map's order. */
    static byte[] oack(Map<String, String> options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(0);
        out.write(OACK);
        options.forEach((name, value) -> {
            writeString(out, name);
            writeString(out, value);
        });
        return out.toByteArray();
    }

    /** Returns {@code text} with every character outside printable ASCII replaced by '?', for logs and errors. */
    static String printable(String text) {
        return text.codePoints().map(c -> c < 0x20 || c > 0x7E ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static void writeString(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        out.write(0);
    }

    private static void putU16(byte[] out, int offset, int value) {
        out[offset] = (byte) (value >>> 8);
        out[offset + 1] = (byte) value;
    }
}
