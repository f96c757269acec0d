package org.peerline.gateway.routing;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Digest nonces (RFC 2617, RFC 3261 §22.4) that carry their own issue time and identity, signed with a
 * per-process key, so that checking one needs no lookup table; only the nonce-count needs state.
 *
 * <p>Each nonce has a sequence number {@code id}; slot {@code id mod SLOTS} of a fixed array remembers the
 * highest nonce-count accepted for it, so a (nonce, nc) pair is accepted once and nc must increase
 * (replay protection in constant memory, the scheme Kamailio's auth module uses). A nonce older than
 * the lifetime, or pushed out of the array by {@code SLOTS} newer ones, is stale: the client gets a
 * fresh challenge with {@code stale=true} and retries without asking the user.
 *
 * <p>Thread-safe and lock-free. Time is passed in, never read from a clock.
 */
public final class Nonces {
    /** What a presented nonce and nonce-count amount to. */
    public enum Verdict { VALID, STALE, REPLAY, FORGED }

    static final int SLOTS = 1 << 21;
    private static final int RAW = 8 + 8 + 16;

    private final ThreadLocal<Mac> mac;
    private final long lifetimeMillis;
    private final AtomicLong nextId;
    private final AtomicIntegerArray highestNc = new AtomicIntegerArray(SLOTS);

    public Nonces(long lifetimeMillis, SecureRandom random) {
        this.lifetimeMillis = lifetimeMillis;
        byte[] key = new byte[32];
        random.nextBytes(key);
        this.nextId = new AtomicLong(random.nextInt(1 << 30));
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

    /** Issues a fresh nonce at {@code nowMillis}. */
    public String issue(long nowMillis) {
        long id = nextId.incrementAndGet();
        highestNc.set(slot(id), 0);
        ByteBuffer b = ByteBuffer.allocate(RAW);
        b.putLong(nowMillis).putLong(id);
        b.put(sign(b.array(), 16), 0, 16);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /**
     * Checks a nonce and its nonce-count, and consumes the count if valid.
     *
     * @param nc the client's nonce-count (RFC 2617 {@code nc}), or 0 when the client sent no qop;
     *           then the nonce itself may be used only once
     */
    public Verdict use(String nonce, long nc, long nowMillis) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return Verdict.FORGED;
        }
        if (raw.length != RAW) {
            return Verdict.FORGED;
        }
        byte[] expected = sign(raw, 16);
        byte[] given = new byte[16];
        System.arraycopy(raw, 16, given, 0, 16);
        if (!MessageDigest.isEqual(java.util.Arrays.copyOf(expected, 16), given)) {
            return Verdict.FORGED;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        long issued = b.getLong();
        long id = b.getLong();
        if (nowMillis - issued > lifetimeMillis || nowMillis < issued - 1000 || nextId.get() - id >= SLOTS) {
            return Verdict.STALE;
        }
        int count = nc <= 0 ? 1 : (int) Math.min(nc, Integer.MAX_VALUE);
        int slot = slot(id);
        while (true) {
            int seen = highestNc.get(slot);
            if (count <= seen || (nc <= 0 && seen > 0)) {
                return Verdict.REPLAY;
            }
            if (highestNc.compareAndSet(slot, seen, count)) {
                return Verdict.VALID;
            }
        }
    }

    private static int slot(long id) {
        return (int) (id & (SLOTS - 1));
    }

    private byte[] sign(byte[] data, int len) {
        Mac m = mac.get();
        m.update(data, 0, len);
        return m.doFinal();
    }
}
