package org.peerline.provisioning.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * RFC 2617 section 3.2.2.2 digest helper: {@code HA1 = MD5(username ":" realm ":" password)}, as lowercase hex, over
 * the UTF-8 bytes of the three strings. The store keeps only HA1, never the password.
 */
public final class DigestHa1 {
    private DigestHa1() {
    }

    /**
     * Computes HA1 for the MD5 algorithm.
     *
     * @param name     the user name, exactly as the phone sends it in the {@code username} parameter
     * @param realm    the digest realm
     * @param password the clear-text password
     * @return 32 lowercase hex characters
     */
    public static String of(String name, String realm, String password) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(password, "password");
        MessageDigest md5 = md5();
        md5.update(name.getBytes(StandardCharsets.UTF_8));
        md5.update((byte) ':');
        md5.update(realm.getBytes(StandardCharsets.UTF_8));
        md5.update((byte) ':');
        md5.update(password.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md5.digest());
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide MD5", e);
        }
    }
}
