package org.peerline.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** RFC 2617 digest computations with MD5 (the only algorithm desk phones implement). */
public final class Digest {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    });

    private Digest() {
    }

    /**
     * The expected {@code response} for credentials, from the stored HA1.
     *
     * @param qop "auth", or null for RFC 2069 clients that send no qop (then nc and cnonce are ignored)
     */
    public static String response(String ha1, String method, String digestUri, String nonce, String nc,
                                  String cnonce, String qop) {
        String ha2 = md5Hex(method + ":" + digestUri);
        return qop == null
                ? md5Hex(ha1 + ":" + nonce + ":" + ha2)
                : md5Hex(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    /** Compares the client's response with the expected one in constant time (case-insensitive hex). */
    public static boolean matches(String expected, String given) {
        if (given == null || given.length() != expected.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < expected.length(); i++) {
            diff |= expected.charAt(i) ^ Character.toLowerCase(given.charAt(i));
        }
        return diff == 0;
    }

    /** Lowercase hex MD5 of the UTF-8 bytes of {@code s}. */
    public static String md5Hex(String s) {
        byte[] d = MD5.get().digest(s.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[d.length * 2];
        for (int i = 0; i < d.length; i++) {
            out[2 * i] = HEX[(d[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[d[i] & 0xf];
        }
        return new String(out);
    }
}
