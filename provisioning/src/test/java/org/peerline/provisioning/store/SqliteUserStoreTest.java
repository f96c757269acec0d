package org.peerline.provisioning.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.ProvisioningException;
import org.peerline.provisioning.api.User;
import org.peerline.provisioning.api.UserUpdate;

/** When the lookup path looks for other processes' changes, driven by a fake clock (no sleeping). */
class SqliteUserStoreTest {
    private static final String REALM = "example.org";
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000 * MS);
    private SqliteUserStore daemon;
    private SqliteUserStore cli;

    @BeforeEach
    void open() throws ProvisioningException {
        daemon = SqliteUserStore.open(dir, REALM, now::get, Clock.systemUTC(),
                new RefreshPolicy(250 * MS, 50 * MS, 2, now.get()));
        cli = SqliteUserStore.open(dir, REALM);
    }

    @AfterEach
    void close() {
        cli.close();
        daemon.close();
    }

    @Test
    void shouldCheckOnAMissWithinTheMissBudget() throws ProvisioningException {
        cli.add(new NewUser("alice", "pw", null, null));
        assertTrue(daemon.find("alice").isPresent(), "the first miss checks at once");
        cli.add(new NewUser("bob", "pw", null, null));
        assertTrue(daemon.find("bob").isPresent(), "so does a second one: the budget allows bursts of 2");

        cli.add(new NewUser("carol", "pw", null, null));
        now.addAndGet(10 * MS);
        assertTrue(daemon.find("carol").isEmpty(), "the burst is used up");
        assertTrue(daemon.find("carol").isEmpty());
        now.addAndGet(90 * MS);
        assertTrue(daemon.find("carol").isPresent(), "the budget refills at one check per 50 ms");
    }

    @Test
    void shouldNotCheckForUnparseableNames() throws ProvisioningException {
        cli.add(new NewUser("carol", "pw", "3003", null));
        assertTrue(daemon.find("no such@user").isEmpty());
        assertTrue(daemon.findByExtension("carol").isEmpty());
        assertTrue(daemon.findByExtension("3003").isPresent(), "the invalid probes used no check");
    }

    @Test
    void shouldNoticeChangesToKnownUsersOnlyAfterThePeriod() throws ProvisioningException {
        cli.add(new NewUser("alice", "pw", "1001", null));
        assertTrue(daemon.find("alice").isPresent());

        cli.update("alice", new UserUpdate(null, "2002", null));
        now.addAndGet(249 * MS);
        assertEquals("1001", daemon.find("alice").orElseThrow().extension(), "hits are served from the snapshot");
        now.addAndGet(MS);
        assertEquals("2002", daemon.find("alice").orElseThrow().extension());
    }

    @Test
    void shouldNotLoseAnotherProcessesChangeBehindItsOwnWrite() throws ProvisioningException {
        daemon.add(new NewUser("alice", "pw", null, null));
        cli.add(new NewUser("bob", "pw", null, null));       // another process commits...
        daemon.add(new NewUser("carol", "pw", null, null));  // ...then this one does, updating its snapshot

        assertEquals(2, daemon.list().size(), "own writes are applied to the snapshot at once");
        now.addAndGet(250 * MS);
        assertEquals(3, daemon.list().size(), "bob arrives with the next periodic check");
    }

    @Test
    void shouldSeeOwnWritesAtOnce() throws ProvisioningException {
        User alice = daemon.add(new NewUser("alice", "pw", "1001", null));
        assertEquals(Optional.of(alice), daemon.findByExtension("1001"));
        daemon.update("alice", new UserUpdate(null, "", null));
        assertTrue(daemon.findByExtension("1001").isEmpty());
        daemon.remove("alice");
        assertTrue(daemon.find("alice").isEmpty());
    }

    @Test
    void shouldRunWithSynchronousFullAndWal() throws Exception {
        Database db = Database.open(dir.resolve("other"), Clock.systemUTC());
        try (Statement st = db.connection().createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
                rs.next();
                assertEquals(2, rs.getInt(1), "2 is FULL");
            }
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertEquals("wal", rs.getString(1));
            }
        } finally {
            db.close();
        }
    }
}
