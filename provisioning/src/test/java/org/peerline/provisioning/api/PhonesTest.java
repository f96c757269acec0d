package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Phones} on a real SQLite file: the rules, the passwords, and what other processes see. */
class PhonesTest {
    private static final String REALM = "site.example.org";

    @TempDir
    Path dir;

    private Provisioning provisioning;
    private Phones phones;

    @BeforeEach
    void open() throws ProvisioningException {
        provisioning = Provisioning.open(dir, REALM);
        phones = provisioning.phones();
        provisioning.users().add(new NewUser("alice", "alice-pw", "1001", "Alice"));
        provisioning.users().add(new NewUser("bob", "bob-pw", null, null));
    }

    @AfterEach
    void close() {
        provisioning.close();
    }

    @Test
    void shouldAddFindAndRemoveByAnyFormOfTheMac() throws ProvisioningException {
        Phone added = phones.add(new NewPhone("00:15:65:12:AB:3C", Vendor.YEALINK, "T46U", List.of("alice", "bob")));

        assertEquals("00156512ab3c", added.mac());
        assertEquals("00:15:65:12:ab:3c", added.displayMac());
        assertEquals(List.of("alice", "bob"), added.lines());
        assertTrue(added.password().matches("[A-Za-z2-9]{20}"), added.password());
        assertFalse(added.toString().contains(added.password()), "toString hides the password");
        for (String form : List.of("00156512ab3c", "00-15-65-12-ab-3c", "0015.6512.AB3C")) {
            assertEquals(added, phones.find(form).orElseThrow(), form);
        }
        assertTrue(phones.find("not a mac").isEmpty());
        assertEquals(List.of(added), phones.list());
        assertTrue(phones.remove("00:15:65:12:ab:3c"));
        assertFalse(phones.remove("00156512ab3c"));
        assertTrue(phones.list().isEmpty());
    }

    @Test
    void shouldGiveEachPhoneItsOwnPasswordAndAcceptItForItsLines() throws ProvisioningException {
        Phone one = phones.add(new NewPhone("001565000001", Vendor.POLYCOM, null, List.of("alice")));
        Phone two = phones.add(new NewPhone("001565000002", Vendor.CISCO, null, List.of("alice", "bob")));

        assertNotEquals(one.password(), two.password());
        assertEquals(List.of(DigestHa1.of("alice", REALM, one.password()), DigestHa1.of("alice", REALM, two.password())),
                phones.lineHa1s("alice"));
        assertEquals(List.of(DigestHa1.of("bob", REALM, two.password())), phones.lineHa1s("bob"));
        phones.remove(one.mac());
        assertEquals(List.of(DigestHa1.of("alice", REALM, two.password())), phones.lineHa1s("alice"),
                "a removed phone's password stops working");
        assertEquals(List.of(), phones.lineHa1s("carol"));
    }

    @Test
    void shouldRefuseWhatCannotWork() throws ProvisioningException {
        phones.add(new NewPhone("001565000001", Vendor.GRANDSTREAM, null, List.of("alice")));

        assertThrows(InUseException.class,
                () -> phones.add(new NewPhone("00:15:65:00:00:01", Vendor.YEALINK, null, List.of("bob"))));
        assertEquals("carol", assertThrows(UnknownUserException.class,
                () -> phones.add(new NewPhone("001565000002", Vendor.YEALINK, null, List.of("carol")))).name());
        InvalidInputException mac = assertThrows(InvalidInputException.class,
                () -> phones.add(new NewPhone("00156500000", Vendor.YEALINK, null, List.of("bob"))));
        assertEquals("mac", mac.field());
        assertThrows(InvalidInputException.class,
                () -> phones.add(new NewPhone("001565000002", Vendor.YEALINK, null, List.of())));
        assertThrows(InvalidInputException.class,
                () -> phones.add(new NewPhone("001565000002", Vendor.YEALINK, null, List.of("bob", "bob"))));
        assertThrows(InvalidInputException.class,
                () -> phones.add(new NewPhone("001565000002", null, null, List.of("bob"))));
        InUseException inUse = assertThrows(InUseException.class, () -> provisioning.users().remove("alice"));
        assertTrue(inUse.getMessage().contains("001565000001"), inUse.getMessage());
        assertTrue(provisioning.users().find("alice").isPresent(), "the refused removal kept the user");
    }

    @Test
    void shouldSurviveARestartAndBeSeenByAnotherProcess() throws Exception {
        Phone added = phones.add(new NewPhone("001565000001", Vendor.YEALINK, "T54W", List.of("alice")));
        try (Provisioning other = Provisioning.open(dir, REALM)) {
            assertEquals(added, other.phones().find("001565000001").orElseThrow());
            other.phones().add(new NewPhone("001565000002", Vendor.CISCO, null, List.of("bob")));
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (phones.find("001565000002").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(phones.find("001565000002").isPresent(), "a phone added by another process (the CLI) is seen");
        assertEquals(1, phones.lineHa1s("bob").size());
    }

    @Test
    void shouldMigrateADatabaseOfSchemaVersionOne() throws Exception {
        provisioning.close();
        Path old = dir.resolve("old");
        java.nio.file.Files.createDirectories(old);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(Provisioning.USERS_DB));
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_ms INTEGER NOT NULL)");
            st.execute("INSERT INTO schema_version VALUES (1, 0)");
            st.execute("CREATE TABLE users (name TEXT NOT NULL PRIMARY KEY, extension TEXT UNIQUE, display_name TEXT,"
                    + " realm TEXT NOT NULL, ha1 TEXT NOT NULL CHECK (length(ha1) = 32), created_ms INTEGER NOT NULL)"
                    + " WITHOUT ROWID");
            st.execute("INSERT INTO users VALUES ('carol', '1003', NULL, '" + REALM + "', '"
                    + DigestHa1.of("carol", REALM, "pw") + "', 0)");
        }
        try (Provisioning migrated = Provisioning.open(old, REALM)) {
            assertEquals("1003", migrated.users().find("carol").orElseThrow().extension());
            migrated.phones().add(new NewPhone("001565000009", Vendor.YEALINK, null, List.of("carol")));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old.resolve(Provisioning.USERS_DB));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max(version) FROM schema_version")) {
            rs.next();
            assertEquals(2, rs.getInt(1));
        }
        provisioning = Provisioning.open(dir, REALM);
    }
}
