package org.peerline.provisioning.tftp;

import java.io.ByteArrayOutputStream;

/** The netascii transfer mode (RFC 1350, RFC 764): a file's bytes as they go on the wire. */
final class Netascii {
    private Netascii() {
    }

    /**
     * Converts a file to netascii: LF becomes CR LF and a bare CR becomes CR NUL; other bytes pass unchanged.
     *
     * @param file the file as stored
     * @return the bytes to send, at least as long as {@code file}
     */
    static byte[] encode(byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(file.length + file.length / 16 + 16);
        for (byte b : file) {
            if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else if (b == '\r') {
                out.write('\r');
                out.write(0);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
