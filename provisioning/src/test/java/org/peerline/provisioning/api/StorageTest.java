package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database file: another process's changes, bulk loads, schema and file layout. */
class StorageTest {
    private static final String REALM = "site.example.org";
    private static final int BULK = 150_000;

    @TempDir
    Path dir;

    @Test
    void shouldSeeUsersAddedByAnotherProcessWithoutReopening() throws ProvisioningException {
        try (Provisioning daemon = Provisioning.open(dir, REALM); Provisioning cli = Provisioning.open(dir, REALM)) {
            assertTrue(daemon.users().list().isEmpty());

            User added = cli.users().add(new NewUser("alice", "pw", "1001", null));

            // A miss checks the database at once (within the miss budget), so no waiting is needed...
            assertEquals(Optional.of(added), daemon.users().find("alice"));
            // ...and changes to users the daemon already knows arrive through the periodic check.
            cli.users().update("alice", new UserUpdate(null, "2002", "Alice"));
            User updated = eventually(() -> daemon.users().find("alice").filter(u -> "2002".equals(u.extension())));
            assertEquals("Alice", updated.displayName());
            assertEquals(Optional.of(updated), daemon.users().findByExtension("2002"));
            cli.users().remove("alice");
            eventually(() -> daemon.users().list().isEmpty() ? Optional.of(true) : Optional.empty());
        }
    }

    @Test
    void shouldAddManyUsersInOneTransaction() throws ProvisioningException {
        List<NewUser> batch = new ArrayList<>(BULK);
        for (int i = 0; i < BULK; i++) {
            batch.add(new NewUser("user" + i, "password" + i, Integer.toString(100_000 + i), "User " + i));
        }
        try (Provisioning provisioning = Provisioning.open(dir, REALM)) {
            long start = System.nanoTime();
            List<User> added = provisioning.users().addAll(batch);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("addAll of %,d users took %,d ms%n", BULK, millis);

            assertEquals(BULK, added.size());
            assertEquals(BULK, provisioning.users().list().size());
            assertEquals("user4242", provisioning.users().findByExtension("104242").orElseThrow().name());
            assertEquals(DigestHa1.of("user77", REALM, "password77"),
                    provisioning.users().find("user77").orElseThrow().ha1());
            assertThrows(ExtensionTakenException.class, () -> provisioning.users().add(
                    new NewUser("late", "pw", "100001", null)));
        }
        long start = System.nanoTime();
        try (Provisioning reopened = Provisioning.open(dir, REALM)) {
            System.out.printf("reopening with %,d users took %,d ms%n", BULK, (System.nanoTime() - start) / 1_000_000);
            assertEquals(BULK, reopened.users().list().size());
        }
    }

    @Test
    void shouldServeLookupsWhileAnotherThreadWrites() throws Exception {
        try (Provisioning provisioning = Provisioning.open(dir, REALM)) {
            Users users = provisioning.users();
            users.add(new NewUser("anchor", "pw", "1000", null));
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                readers.add(thread(() -> {
                    while (writing.get()) {
                        if (users.find("anchor").isEmpty() || users.findByExtension("1000").isEmpty()) {
                            failure.compareAndSet(null, new AssertionError("anchor vanished"));
                        }
                        users.find("missing");
                    }
                }, failure));
            }
            readers.forEach(Thread::start);
            try {
                for (int i = 0; i < 200; i++) {
                    users.add(new NewUser("u" + i, "pw", Integer.toString(2000 + i), null));
                    users.update("u" + i, new UserUpdate(null, null, "U" + i));
                }
                List<NewUser> batch = new ArrayList<>();
                for (int i = 0; i < 5_000; i++) {
                    batch.add(new NewUser("b" + i, "pw", null, null));
                }
                users.addAll(batch);
            } finally {
                writing.set(false);
                for (Thread reader : readers) {
                    reader.join();
                }
            }
            assertNull(failure.get());
            assertEquals(5_201, users.list().size());
            assertEquals("U199", users.findByExtension("2199").orElseThrow().displayName());
        }
    }

    @Test
    void shouldUseWalAndCreateTheSchemaVersionTable() throws Exception {
        Provisioning.open(dir, REALM).close();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Provisioning.USERS_DB))) {
            assertEquals("wal", query(c, "PRAGMA journal_mode"));
            assertEquals("2", query(c, "SELECT max(version) FROM schema_version"), "users, then phones and settings");
        }
    }

    @Test
    void shouldRefuseASchemaNewerThanThisCode() throws Exception {
        Provisioning.open(dir, REALM).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(Provisioning.USERS_DB));
             Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_version (version, applied_ms) VALUES (99, 0)");
        }

        ProvisioningException e = assertThrows(ProvisioningException.class, () -> Provisioning.open(dir, REALM));

        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
    }

    @Test
    void shouldCreateTheDataDirectoryAndAPrivateDatabaseFile() throws Exception {
        Path data = dir.resolve("var/lib/peerline");
        Provisioning.open(data, REALM).close();

        Path db = data.resolve(Provisioning.USERS_DB);
        assertTrue(Files.isRegularFile(db));
        if (Files.getFileStore(db).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        }
    }

    @Test
    void shouldFailClearlyWhenTheDataDirectoryIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");

        ProvisioningException e = assertThrows(ProvisioningException.class, () -> Provisioning.open(file, REALM));

        assertTrue(e.getMessage().contains("not-a-directory"), e.getMessage());
    }

    /** A thread that records what it throws in {@code failure}. */
    private static Thread thread(Runnable body, AtomicReference<Throwable> failure) {
        return new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Polls for up to five seconds; the store promises about a quarter of a second. */
    private static <T> T eventually(Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("condition not met within 5 s");
    }
}
