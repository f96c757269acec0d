package org.peerline.provisioning.tftp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The transfer parameters after option negotiation (RFC 2347, RFC 2348 blksize, RFC 2349 timeout and tsize).
 *
 * @param blockSize      bytes of file per DATA packet
 * @param timeoutSeconds seconds to wait for an ACK before sending the last packet again
 * @param tsize          true if the client asked for the transfer size
 */
record Negotiated(int blockSize, int timeoutSeconds, boolean tsize) {
    static final int DEFAULT_BLOCK_SIZE = 512;
    static final int DEFAULT_TIMEOUT_SECONDS = 1;
    /** RFC 2348 range of blksize. */
    static final int MIN_BLOCK_SIZE = 8;
    static final int MAX_BLOCK_SIZE = 65464;
    /** Largest block size granted: 1428 + 4 (TFTP) + 8 (UDP) + 20 (IPv4) + 40 (spare for IPv6, tunnels) = 1500. */
    static final int BLOCK_SIZE_CAP = 1428;
    /** RFC 2349 range of timeout, in seconds. */
    static final int MIN_TIMEOUT = 1;
    static final int MAX_TIMEOUT = 255;

    /**
     * Applies a request's options; unknown options are ignored.
     *
     * @param options option names in lower case and their values
     * @throws RequestRefused with {@link TftpError#OPTION_REFUSED} if a known option has a bad value
     */
    static Negotiated of(Map<String, String> options) throws RequestRefused {
        int blockSize = DEFAULT_BLOCK_SIZE;
        int timeout = DEFAULT_TIMEOUT_SECONDS;
        String blksize = options.get("blksize");
        if (blksize != null) {
            blockSize = Math.min(number("blksize", blksize, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE), BLOCK_SIZE_CAP);
        }
        String timeoutValue = options.get("timeout");
        if (timeoutValue != null) {
            timeout = number("timeout", timeoutValue, MIN_TIMEOUT, MAX_TIMEOUT);
        }
        String tsize = options.get("tsize");
        if (tsize != null) {
            number("tsize", tsize, 0, Long.MAX_VALUE);
        }
        return new Negotiated(blockSize, timeout, tsize != null);
    }

    /**
     * Returns the options to acknowledge in the OACK; if empty, no OACK is sent and the transfer starts with DATA 1.
     * tsize is left out for an empty file: curl rejects "tsize 0" in an OACK as illegal (its exit code 71), and RFC
     * 2347 lets a server leave out any option.
     *
     * @param requested the options of the request
     * @param size      the number of bytes that will be sent, for tsize
     */
    Map<String, String> acknowledged(Map<String, String> requested, long size) {
        Map<String, String> out = new LinkedHashMap<>();
        if (requested.containsKey("blksize")) {
            out.put("blksize", Integer.toString(blockSize));
        }
        if (requested.containsKey("timeout")) {
            out.put("timeout", Integer.toString(timeoutSeconds));
        }
        if (tsize && size > 0) {
            out.put("tsize", Long.toString(size));
        }
        return out;
    }

    private static int number(String name, String value, long min, long max) throws RequestRefused {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw refused(name, value);
        }
        long number = Long.parseLong(value);
        if (number < min || number > max) {
            throw refused(name, value);
        }
        return (int) Math.min(number, Integer.MAX_VALUE);
    }

    private static RequestRefused refused(String name, String value) {
        String shown = value.length() > 20 ? value.substring(0, 20) + "..." : value;
        return new RequestRefused(TftpError.OPTION_REFUSED,
                String.format(Locale.ROOT, "bad %s value '%s'", name, Packets.printable(shown)));
    }
}
