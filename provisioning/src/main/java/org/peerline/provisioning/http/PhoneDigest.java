package org.peerline.provisioning.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.peerline.provisioning.api.DigestHa1;
import org.peerline.provisioning.api.Phone;

/**
 * HTTP digest authentication of phones fetching their files (RFC 7616 with MD5 and qop=auth, what desk phones
 * implement): the user name is the phone's MAC (12 hex digits) and the password its SIP password, so a phone can
 * fetch only its own files. Nonces are stateless: a time and an HMAC of it under a key made at start, valid for
 * {@value #NONCE_MILLIS} ms.
 */
final class PhoneDigest {
    static final String REALM = "peerline-provisioning";
    static final long NONCE_MILLIS = 300_000;

    private final byte[] key = new byte[32];
    private final LongSupplier millis;

    PhoneDigest(LongSupplier millis) {
        new SecureRandom().nextBytes(key);
        this.millis = millis;
    }

    /** The WWW-Authenticate value of a fresh challenge. */
    String challenge(boolean stale) {
        return "Digest realm=\"" + REALM + "\", qop=\"auth\", algorithm=MD5, nonce=\"" + nonce(millis.getAsLong())
                + "\"" + (stale ? ", stale=true" : "");
    }

    /** The outcome of checking an Authorization header. */
    enum Verdict { OK, MISSING, WRONG, STALE }

    /**
     * Checks {@code authorization} for a GET of {@code uri} of {@code phone}'s file: the user name must be the
     * phone's MAC and the response computed with the phone's password.
     */
    Verdict check(String authorization, String method, String uri, Phone phone) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Digest ", 0, 7)) {
            return Verdict.MISSING;
        }
        Map<String, String> p = parameters(authorization.substring(7));
        String nonce = p.get("nonce");
        String response = p.get("response");
        if (phone == null || !phone.mac().equalsIgnoreCase(p.get("username")) || !REALM.equals(p.get("realm"))
                || nonce == null || response == null || !uri.equals(p.get("uri"))
                || !"auth".equals(p.get("qop")) || p.get("nc") == null || p.get("cnonce") == null) {
            return Verdict.WRONG;
        }
        String ha1 = DigestHa1.of(p.get("username"), REALM, phone.password());
        String ha2 = md5(method + ":" + uri);
        String expected = md5(ha1 + ":" + nonce + ":" + p.get("nc") + ":" + p.get("cnonce") + ":auth:" + ha2);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.WRONG;
        }
        return fresh(nonce) ? Verdict.OK : Verdict.STALE;
    }

    private String nonce(long time) {
        String t = Long.toString(time, 36);
        return t + "." + hmac(t);
    }

    private boolean fresh(String nonce) {
        int dot = nonce.indexOf('.');
        if (dot < 0 || !MessageDigest.isEqual(nonce.substring(dot + 1).getBytes(StandardCharsets.US_ASCII),
                hmac(nonce.substring(0, dot)).getBytes(StandardCharsets.US_ASCII))) {
            return false;
        }
        try {
            long age = millis.getAsLong() - Long.parseLong(nonce.substring(0, dot), 36);
            return age >= 0 && age < NONCE_MILLIS;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private String hmac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.US_ASCII)), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this Java", e);
        }
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is missing from this Java", e);
        }
    }

    /** Parses {@code a="b", c=d} (RFC 7235 auth-params; quoted strings may hold commas and escaped quotes). */
    static Map<String, String> parameters(String text) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == ',')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = text.substring(i, eq).trim().toLowerCase(java.util.Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                i++;
                while (i < n && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++;
            } else {
                while (i < n && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            out.putIfAbsent(name, value.toString().trim());
        }
        return out;
    }
}
