package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class DigestHa1Test {
    @Test
    void shouldMatchRfc2617Example() {
        // RFC 2617 section 3.5: the example's A1 is "Mufasa:testrealm@host.com:Circle Of Life".
        assertEquals("939e7578ed9e3c518a452acee763bce9",
                DigestHa1.of("Mufasa", "testrealm@host.com", "Circle Of Life"));
    }

    @Test
    void shouldHashUtf8AndDependOnEveryPart() {
        String ha1 = DigestHa1.of("alice", "example.org", "pässwörd");
        assertEquals(32, ha1.length());
        assertEquals(ha1.toLowerCase(Locale.ROOT), ha1);
        assertNotEquals(ha1, DigestHa1.of("alice", "example.com", "pässwörd"));
        assertNotEquals(ha1, DigestHa1.of("Alice", "example.org", "pässwörd"));
    }

    @Test
    void shouldRejectNull() {
        assertThrows(NullPointerException.class, () -> DigestHa1.of("a", null, "p"));
    }
}
