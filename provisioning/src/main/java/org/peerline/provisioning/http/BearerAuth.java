package org.peerline.provisioning.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Checks {@code Authorization: Bearer <token>} in constant time: both sides are hashed with SHA-256 first, so the
 * comparison takes the same time whatever the presented token's length or content.
 */
final class BearerAuth {
    private static final String SCHEME = "Bearer ";

    private final byte[] expected;

    BearerAuth(String token) {
        this.expected = sha256(token);
    }

    /** Throws a 401 unless {@code authorization} (the header's value, possibly null) carries the token. */
    void check(String authorization) throws HttpError {
        boolean ok = false;
        if (authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            ok = MessageDigest.isEqual(sha256(authorization.substring(SCHEME.length()).trim()), expected);
        }
        if (!ok) {
            throw new HttpError(401, authorization == null ? "authentication required: send Authorization: Bearer "
                    + "<token>" : "wrong token", Map.of("WWW-Authenticate", "Bearer realm=\"peerline-admin\""));
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
