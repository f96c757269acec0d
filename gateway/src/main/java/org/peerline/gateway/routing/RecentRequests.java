package org.peerline.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Requests answered lately without a server transaction, remembered by fingerprint so that a
 * retransmission is recognised and answered like the original.
 *
 * <p>The registrar answers REGISTER statelessly (no transaction to absorb retransmissions). A UDP phone
 * whose 200 was lost, or that was answered late under load, retransmits the same REGISTER: same
 * branch, Call-ID, CSeq and credentials. Processed afresh, its nonce-count would be a replay (401) and
 * its CSeq no longer above the stored one (500), and the phone would report a failed registration.
 * Seen here, it is re-applied and answered 200, which is what the original transaction would have sent.
 *
 * <p>A direct-mapped table of 64-bit fingerprints: constant memory ({@code 8 * SLOTS} bytes), lock-free,
 * an entry lives until a newer one lands on its slot (about {@code SLOTS / rate} seconds, 20 s at
 * 12,000 REGISTER/s). A forgotten retransmission is answered as before this existed; a false match
 * needs a 64-bit collision between requests that also carry valid credentials for the same nonce.
 */
public final class RecentRequests {
    static final int SLOTS = 1 << 18;
    private final AtomicLongArray slots = new AtomicLongArray(SLOTS);

    /** True if a request with this fingerprint was {@link #remember remembered} and not yet pushed out. */
    public boolean seen(long fingerprint) {
        return fingerprint != 0 && slots.get(slot(fingerprint)) == fingerprint;
    }

    public void remember(long fingerprint) {
        if (fingerprint != 0) {
            slots.set(slot(fingerprint), fingerprint);
        }
    }

    /** FNV-1a (64-bit) over the parts, each followed by a separator byte; never 0. */
    public static long fingerprint(String... parts) {
        long h = 0xcbf29ce484222325L;
        for (String p : parts) {
            byte[] b = (p == null ? "" : p).getBytes(StandardCharsets.UTF_8);
            for (byte x : b) {
                h = (h ^ (x & 0xff)) * 0x100000001b3L;
            }
            h = (h ^ 0x1f) * 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }

    private static int slot(long fingerprint) {
        return (int) ((fingerprint ^ (fingerprint >>> 29)) & (SLOTS - 1));
    }
}
