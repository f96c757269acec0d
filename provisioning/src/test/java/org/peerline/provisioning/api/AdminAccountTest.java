package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin page's password: hashed, checked, kept across restarts, never stored in clear. */
class AdminAccountTest {
    @TempDir
    Path dir;

    @Test
    void shouldStoreOnlyAHashAndVerifyAfterARestart() throws Exception {
        try (Provisioning p = Provisioning.open(dir, "site.example")) {
            assertFalse(p.admin().hasPassword());
            assertFalse(p.admin().verify("anything"), "no password: nothing verifies");
            assertThrows(InvalidInputException.class, () -> p.admin().setPassword("short"));
            p.admin().setPassword("correct horse battery");
            assertTrue(p.admin().hasPassword());
            assertTrue(p.admin().verify("correct horse battery"));
            assertFalse(p.admin().verify("correct horse batterY"));
        }
        try (Provisioning p = Provisioning.open(dir, "site.example")) {
            assertTrue(p.admin().verify("correct horse battery"), "the password survives a restart");
            p.admin().setPassword("another good one");
            assertFalse(p.admin().verify("correct horse battery"));
        }
        for (String f : new String[] {Provisioning.USERS_DB, Provisioning.USERS_DB + "-wal"}) {
            if (Files.exists(dir.resolve(f))) {
                assertFalse(new String(Files.readAllBytes(dir.resolve(f)), java.nio.charset.StandardCharsets.ISO_8859_1)
                        .contains("another good one"), f + " never holds the password in clear");
            }
        }
    }
}
