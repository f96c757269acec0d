package org.peerline.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs the Record-Route this box inserts with an HMAC of the dialog's Call-ID, so that only requests
 * of dialogs the box really routed can use it as a relay: an in-dialog request naming this box in its
 * Route header with a wrong or missing signature is refused. The key lives as long as the process;
 * after a restart, requests of older dialogs are still accepted when they reach a local user.
 */
public final class RouteSigner {
    private final ThreadLocal<Mac> mac;

    public RouteSigner(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(spec);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        });
    }

    /** A short URL-safe signature for {@code callId}. */
    public String sign(String callId) {
        byte[] d = mac.get().doFinal(callId.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 12));
    }

    /**
     * A signature for {@code data} used as {@code purpose} (e.g. a redirect ticket): never equal to a Record-Route
     * signature, since a Call-ID cannot contain the NUL that separates the two.
     */
    public String sign(String purpose, String data) {
        return sign(purpose + '\0' + data);
    }

    /** True if {@code signature} is this box's signature for {@code data} used as {@code purpose}. */
    public boolean verify(String purpose, String data, String signature) {
        return verify(purpose + '\0' + data, signature);
    }

    /** True if {@code signature} is this box's signature for {@code callId}. */
    public boolean verify(String callId, String signature) {
        return signature != null && MessageDigest.isEqual(sign(callId).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
