package org.peerline.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SourceGuardTest {
    private static final long S = 1_000_000_000L;

    @Test
    void limitsRatePerSourceWithBurst() {
        SourceGuard g = new SourceGuard(10, 5, 0, 60 * S, 300 * S);
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (g.admit("192.0.2.1", 0) == SourceGuard.Decision.ALLOW) {
                allowed++;
            }
        }
        assertEquals(15, allowed);
        assertEquals(SourceGuard.Decision.ALLOW, g.admit("192.0.2.2", 0));
        assertEquals(SourceGuard.Decision.ALLOW, g.admit("192.0.2.1", S));
    }

    @Test
    void blocksAfterRepeatedFailuresThenForgives() {
        SourceGuard g = new SourceGuard(0, 0, 3, 60 * S, 300 * S);
        assertFalse(g.authFailed("192.0.2.9", 0));
        assertFalse(g.authFailed("192.0.2.9", S));
        assertTrue(g.authFailed("192.0.2.9", 2 * S));
        assertEquals(SourceGuard.Decision.BLOCKED, g.admit("192.0.2.9", 3 * S));
        assertEquals(SourceGuard.Decision.ALLOW, g.admit("192.0.2.10", 3 * S));
        assertEquals(SourceGuard.Decision.ALLOW, g.admit("192.0.2.9", 303 * S));
    }

    @Test
    void failuresOutsideTheWindowDoNotAddUp() {
        SourceGuard g = new SourceGuard(0, 0, 3, 60 * S, 300 * S);
        g.authFailed("192.0.2.9", 0);
        g.authFailed("192.0.2.9", S);
        assertFalse(g.authFailed("192.0.2.9", 100 * S));
    }
}
