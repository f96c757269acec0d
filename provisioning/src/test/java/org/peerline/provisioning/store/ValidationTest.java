package org.peerline.provisioning.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.peerline.provisioning.api.InvalidInputException;

class ValidationTest {
    @Test
    void shouldAgreeBetweenQuickAndFullNameChecks() {
        for (String name : new String[] {"alice", "a.b-c_d", "+1555", "x".repeat(64)}) {
            assertTrue(Validation.isPossibleName(name), name);
        }
        for (String name : new String[] {"", "a:b", "a b", "\u00e9", "x".repeat(65), "a\u0000"}) {
            assertFalse(Validation.isPossibleName(name), name);
            assertThrows(InvalidInputException.class, () -> Validation.name("name", name));
        }
    }

    @Test
    void shouldDescribeSupplementaryCharactersByCodePoint() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Validation.name("name", "ab\uD83D\uDCDE"));
        assertTrue(e.getMessage().contains("U+1F4DE") && e.getMessage().contains("position 3"), e.getMessage());
    }

    @Test
    void shouldRejectUnpairedSurrogatesInText() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Validation.displayName("displayName", "a\uD800b"));
        assertEquals("displayName: is not valid Unicode (unpaired surrogate)", e.getMessage());
    }

    @Test
    void shouldTreatEmptyOptionalFieldsAsAbsent() throws InvalidInputException {
        assertNull(Validation.extension("extension", ""));
        assertNull(Validation.displayName("displayName", null));
        assertEquals("123456789012345", Validation.extension("extension", "123456789012345"));
    }

    @Test
    void shouldRejectRealmsThatBreakTheQuotedString() {
        assertThrows(InvalidInputException.class, () -> Validation.realm("a\\b"));
        assertThrows(InvalidInputException.class, () -> Validation.realm("a\nb"));
        assertThrows(InvalidInputException.class, () -> Validation.realm(null));
    }
}
