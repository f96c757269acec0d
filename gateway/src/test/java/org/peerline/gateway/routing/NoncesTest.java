package org.peerline.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class NoncesTest {
    private final Nonces nonces = new Nonces(300_000, new SecureRandom());

    @Test
    void acceptsEachNonceCountOnceAndOnlyIncreasing() {
        String n = nonces.issue(1_000);
        assertEquals(Nonces.Verdict.VALID, nonces.use(n, 1, 2_000));
        assertEquals(Nonces.Verdict.REPLAY, nonces.use(n, 1, 2_000));
        assertEquals(Nonces.Verdict.VALID, nonces.use(n, 2, 2_000));
        assertEquals(Nonces.Verdict.REPLAY, nonces.use(n, 1, 2_000));
    }

    @Test
    void nonceWithoutQopIsSingleUse() {
        String n = nonces.issue(1_000);
        assertEquals(Nonces.Verdict.VALID, nonces.use(n, 0, 1_000));
        assertEquals(Nonces.Verdict.REPLAY, nonces.use(n, 0, 1_000));
    }

    @Test
    void expiredNonceIsStale() {
        String n = nonces.issue(1_000);
        assertEquals(Nonces.Verdict.STALE, nonces.use(n, 1, 1_000 + 300_001));
    }

    @Test
    void alteredOrForeignNonceIsForged() {
        String n = nonces.issue(1_000);
        char[] c = n.toCharArray();
        c[3] = c[3] == 'A' ? 'B' : 'A';
        assertEquals(Nonces.Verdict.FORGED, nonces.use(new String(c), 1, 1_000));
        assertEquals(Nonces.Verdict.FORGED, nonces.use("not-base64!", 1, 1_000));
        String other = new Nonces(300_000, new SecureRandom()).issue(1_000);
        assertEquals(Nonces.Verdict.FORGED, nonces.use(other, 1, 1_000));
    }
}
