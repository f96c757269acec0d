package org.peerline.provisioning.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RefreshPolicyTest {
    @Test
    void shouldCheckPeriodically() {
        RefreshPolicy policy = new RefreshPolicy(250, 50, 1, 1_000);

        assertFalse(policy.periodicDue(1_249));
        assertTrue(policy.periodicDue(1_250));
        policy.checked(1_250, false);
        assertFalse(policy.periodicDue(1_499));
        policy.checked(1_300, true);
        assertFalse(policy.periodicDue(1_549), "a miss check also counts as a check");
    }

    @Test
    void shouldAllowOneMissCheckPerIntervalWithoutBurst() {
        RefreshPolicy policy = new RefreshPolicy(250, 50, 1, 1_000);

        assertTrue(policy.missCheckAllowed(1_000), "the first miss may check at once");
        policy.checked(1_010, true);
        assertFalse(policy.missCheckAllowed(1_059));
        assertTrue(policy.missCheckAllowed(1_060));
        policy.checked(1_300, false);
        assertTrue(policy.missCheckAllowed(1_300), "a periodic check does not use the miss budget");
    }

    @Test
    void shouldAllowABurstThenOnePerInterval() {
        RefreshPolicy policy = new RefreshPolicy(250, 50, 3, 1_000);

        for (int i = 0; i < 3; i++) {
            assertTrue(policy.missCheckAllowed(1_000), "burst check " + i);
            policy.checked(1_000, true);
        }
        assertFalse(policy.missCheckAllowed(1_049), "burst used up");
        assertTrue(policy.missCheckAllowed(1_050), "one more after an interval");
        policy.checked(1_050, true);
        assertFalse(policy.missCheckAllowed(1_099));
        assertTrue(policy.missCheckAllowed(1_100));
        assertTrue(policy.missCheckAllowed(10_000));
        for (int i = 0; i < 3; i++) {
            policy.checked(10_000, true);
        }
        assertFalse(policy.missCheckAllowed(10_000), "a long quiet period refills the bucket, but no more than full");
    }

    @Test
    void shouldSurviveNanoTimeWrapAround() {
        RefreshPolicy policy = new RefreshPolicy(250, 50, 1, Long.MAX_VALUE - 100);

        assertFalse(policy.periodicDue(Long.MAX_VALUE));
        assertTrue(policy.periodicDue(Long.MIN_VALUE + 150));
        policy.checked(Long.MAX_VALUE - 10, true);
        assertFalse(policy.missCheckAllowed(Long.MAX_VALUE));
        assertTrue(policy.missCheckAllowed(Long.MIN_VALUE + 39));
    }

    @Test
    void shouldRefuseAnEmptyBudget() {
        assertThrows(IllegalArgumentException.class, () -> new RefreshPolicy(250, 50, 0, 0));
    }
}
