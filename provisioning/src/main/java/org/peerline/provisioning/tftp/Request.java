package org.peerline.provisioning.tftp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed RRQ or WRQ (RFC 1350 section 5, options from RFC 2347).
 *
 * @param opcode   {@link Packets#RRQ} or {@link Packets#WRQ}
 * @param fileName the file name as the client sent it, without one leading '/'
 * @param mode     the transfer mode as sent, for example "octet" or "NETASCII"
 * @param options  the options in the order sent, names in lower case; the first of a repeated option wins
 */
record Request(int opcode, String fileName, String mode, Map<String, String> options) {
    /** Longest file name accepted, in bytes as received. */
    static final int MAX_NAME_BYTES = 255;

    /**
     * Parses a request packet: opcode, file name, NUL, mode, NUL, then pairs of option name and value, each
     * NUL-terminated. A trailing option name without a value is ignored.
     *
     * @throws RequestRefused with {@link TftpError#ILLEGAL_OPERATION} if the packet is not a well-formed request
     */
    static Request parse(byte[] packet, int length) throws RequestRefused {
        int opcode = Packets.opcode(packet, length);
        if (opcode != Packets.RRQ && opcode != Packets.WRQ) {
            throw malformed("not a request");
        }
        List<byte[]> fields = split(packet, 2, length);
        if (fields.size() < 2) {
            throw malformed("request without file name and mode");
        }
        String fileName = fileName(fields.get(0));
        String mode = new String(fields.get(1), StandardCharsets.ISO_8859_1);
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 2; i + 1 < fields.size(); i += 2) {
            String name = new String(fields.get(i), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            options.putIfAbsent(name, new String(fields.get(i + 1), StandardCharsets.ISO_8859_1));
        }
        return new Request(opcode, fileName, mode, Collections.unmodifiableMap(options));
    }

    /** Returns true if this is a read request. */
    boolean isRead() {
        return opcode == Packets.RRQ;
    }

    /** Returns true if the mode is "netascii", in any case. */
    boolean isNetascii() {
        return "netascii".equals(mode.toLowerCase(Locale.ROOT));
    }

    /** Returns true if the mode is one this server serves: "octet" or "netascii", in any case. */
    boolean hasKnownMode() {
        return isNetascii() || "octet".equals(mode.toLowerCase(Locale.ROOT));
    }

    /** Splits NUL-terminated strings; every string, the last included, must end with a NUL. */
    private static List<byte[]> split(byte[] packet, int from, int length) throws RequestRefused {
        List<byte[]> fields = new ArrayList<>();
        int start = from;
        for (int i = from; i < length; i++) {
            if (packet[i] == 0) {
                byte[] field = new byte[i - start];
                System.arraycopy(packet, start, field, 0, field.length);
                fields.add(field);
                start = i + 1;
            }
        }
        if (start != length) {
            throw malformed("string without NUL terminator");
        }
        return fields;
    }

    private static String fileName(byte[] raw) throws RequestRefused {
        if (raw.length > MAX_NAME_BYTES) {
            throw malformed("file name longer than " + MAX_NAME_BYTES + " bytes");
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("file name is not UTF-8");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw malformed("control character in file name");
        }
        name = name.startsWith("/") ? name.substring(1) : name;
        if (name.isEmpty()) {
            throw malformed("empty file name");
        }
        return name;
    }

    private static RequestRefused malformed(String reason) {
        return new RequestRefused(TftpError.ILLEGAL_OPERATION, reason);
    }
}
