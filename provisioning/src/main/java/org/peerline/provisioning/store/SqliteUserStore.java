package org.peerline.provisioning.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.peerline.provisioning.api.DigestHa1;
import org.peerline.provisioning.api.InvalidInputException;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.ProvisioningException;
import org.peerline.provisioning.api.UnknownUserException;
import org.peerline.provisioning.api.User;
import org.peerline.provisioning.api.UserUpdate;
import org.peerline.provisioning.api.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API: use {@link org.peerline.provisioning.api.Provisioning}. {@link Users} on a SQLite file.
 *
 * <p>Threads: lookups read a volatile immutable {@link Snapshot} and take no lock. Everything that touches the
 * connection (writes, the {@code data_version} check, reloads) holds {@code lock}; the lookup path only ever
 * {@code tryLock}s, so a SIP thread never waits for a write or a reload in progress and serves the previous snapshot
 * instead. Writes update the snapshot before they return (read your writes); changes by other processes are found
 * through {@code PRAGMA data_version} as {@link RefreshPolicy} allows, and then the snapshot is reloaded whole.
 */
public final class SqliteUserStore implements Users, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteUserStore.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Database db;
    private final String realm;
    private final LongSupplier nanoTime;
    private final Clock clock;
    private final RefreshPolicy refresh;
    private volatile Snapshot snapshot;
    /** Guarded by {@code lock}. */
    private boolean closed;
    /** Guarded by {@code lock}; set while checks fail, so that the failure is logged once, not four times a second. */
    private boolean checkFailing;

    private SqliteUserStore(Database db, String realm, LongSupplier nanoTime, Clock clock, Snapshot initial,
            RefreshPolicy refresh) {
        this.db = db;
        this.realm = realm;
        this.nanoTime = nanoTime;
        this.clock = clock;
        this.snapshot = initial;
        this.refresh = refresh;
    }

    /**
     * Opens the store in {@code dataDir}, creating the directory and database if needed.
     *
     * @param dataDir the data directory; the database is {@code users.db} in it
     * @param realm   the digest realm new HA1 values are computed for
     * @return the open store
     * @throws ProvisioningException if the realm is invalid or the database cannot be opened
     */
    public static SqliteUserStore open(Path dataDir, String realm) throws ProvisioningException {
        return open(dataDir, realm, System::nanoTime, Clock.systemUTC(), new RefreshPolicy(
                RefreshPolicy.DEFAULT_PERIOD_NANOS, RefreshPolicy.DEFAULT_MISS_NANOS, RefreshPolicy.DEFAULT_MISS_BURST,
                System.nanoTime()));
    }

    static SqliteUserStore open(Path dataDir, String realm, LongSupplier nanoTime, Clock clock, RefreshPolicy refresh)
            throws ProvisioningException {
        Objects.requireNonNull(dataDir, "dataDir");
        Validation.realm(realm);
        Database db = Database.open(dataDir, clock);
        boolean ok = false;
        try {
            long version = db.dataVersion();
            List<User> users = UserTable.loadAll(db.connection());
            SqliteUserStore store = new SqliteUserStore(db, realm, nanoTime, clock, Snapshot.of(users, version),
                    refresh);
            LOG.info("{}: {} users, realm '{}'", db.file(), users.size(), realm);
            long foreign = users.stream().filter(u -> !u.hasRealm(realm)).count();
            if (foreign > 0) {
                LOG.warn("{}: {} users have passwords stored for another realm than '{}'; they cannot authenticate "
                        + "until their passwords are reset", db.file(), foreign, realm);
            }
            ok = true;
            return store;
        } catch (SQLException e) {
            throw db.failure("cannot load users", e);
        } finally {
            if (!ok) {
                db.close();
            }
        }
    }

    /**
     * Returns the realm new HA1 values are computed for.
     *
     * @return the realm
     */
    public String realm() {
        return realm;
    }

    @Override
    public Optional<User> find(String name) {
        Objects.requireNonNull(name, "name");
        User user = current().byName(name);
        if (user == null && Validation.isPossibleName(name)) {
            user = afterMiss().byName(name);
        }
        return Optional.ofNullable(user);
    }

    @Override
    public Optional<User> findByExtension(String extension) {
        Objects.requireNonNull(extension, "extension");
        User user = current().byExtension(extension);
        if (user == null && Validation.isPossibleExtension(extension)) {
            user = afterMiss().byExtension(extension);
        }
        return Optional.ofNullable(user);
    }

    @Override
    public List<User> list() {
        return current().sorted();
    }

    @Override
    public User add(NewUser user) throws ProvisioningException {
        Objects.requireNonNull(user, "user");
        User added = insert(List.of(user), false).get(0);
        LOG.info("added user '{}'{}", added.name(), added.extension() == null ? ""
                : " with extension " + added.extension());
        return added;
    }

    @Override
    public List<User> addAll(List<NewUser> users) throws ProvisioningException {
        Objects.requireNonNull(users, "users");
        long start = nanoTime.getAsLong();
        List<User> added = insert(users, true);
        LOG.info("added {} users in one transaction ({} ms)", added.size(),
                TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - start));
        return added;
    }

    @Override
    public User update(String name, UserUpdate update) throws ProvisioningException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(update, "update");
        String ha1 = update.password() == null ? null
                : DigestHa1.of(name, realm, Validation.password("password", update.password()));
        String extension = Validation.extension("extension", update.extension());
        String displayName = Validation.displayName("displayName", update.displayName());
        Change change;
        lock.lock();
        try {
            ensureOpen();
            change = db.inTransaction(c -> {
                User before = UserTable.select(c, name).orElseThrow(() -> new UnknownUserException(name));
                User after = new User(name,
                        update.extension() == null ? before.extension() : extension,
                        update.displayName() == null ? before.displayName() : displayName,
                        ha1 == null ? before.realm() : realm,
                        ha1 == null ? before.ha1() : ha1,
                        before.created());
                if (after.extension() != null && !after.extension().equals(before.extension())) {
                    Claims.forBatch(c, 1).checkExtension(name, after.extension(), "");
                }
                if (!after.equals(before)) {
                    UserTable.update(c, after);
                }
                return new Change(before, after);
            });
            snapshot = snapshot.with(change.after());
        } finally {
            lock.unlock();
        }
        if (!change.after().equals(change.before())) {
            LOG.info("updated user '{}': {}", name, change.describe());
        }
        return change.after();
    }

    @Override
    public boolean remove(String name) throws ProvisioningException {
        Objects.requireNonNull(name, "name");
        boolean removed;
        lock.lock();
        try {
            ensureOpen();
            removed = db.inTransaction(c -> UserTable.delete(c, name));
            snapshot = snapshot.without(name);
        } finally {
            lock.unlock();
        }
        if (removed) {
            LOG.info("removed user '{}'", name);
        }
        return removed;
    }

    /**
     * Closes the database. Lookups keep answering from the last snapshot (a SIP request racing with shutdown still
     * gets an answer); writes fail.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                db.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private List<User> insert(List<NewUser> input, boolean batch) throws ProvisioningException {
        Instant created = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<User> rows = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            rows.add(toUser(input.get(i), batch ? "users[" + i + "]" : null, created));
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        lock.lock();
        try {
            ensureOpen();
            db.inTransaction(c -> {
                Claims claims = Claims.forBatch(c, rows.size());
                for (int i = 0; i < rows.size(); i++) {
                    claims.claimNew(rows.get(i), batch ? "users[" + i + "]: " : "");
                }
                UserTable.insertAll(c, rows);
                return null;
            });
            snapshot = snapshot.withAll(rows);
        } finally {
            lock.unlock();
        }
        return List.copyOf(rows);
    }

    /** Validates {@code user} and computes its HA1; {@code position} prefixes field names in a batch, else null. */
    private User toUser(NewUser user, String position, Instant created) throws InvalidInputException {
        String prefix = position == null ? "" : position + ".";
        if (user == null) {
            throw new InvalidInputException(position == null ? "user" : position, "is null");
        }
        String name = Validation.name(prefix + "name", user.name());
        String password = Validation.password(prefix + "password", user.password());
        String extension = Validation.extension(prefix + "extension", user.extension());
        String displayName = Validation.displayName(prefix + "displayName", user.displayName());
        return new User(name, extension, displayName, realm, DigestHa1.of(name, realm, password), created);
    }

    private void ensureOpen() throws ProvisioningException {
        if (closed) {
            throw new ProvisioningException(db.file() + " is closed");
        }
    }

    /** Returns the snapshot to answer from, first checking for outside changes if the periodic check is due. */
    private Snapshot current() {
        long now = nanoTime.getAsLong();
        if (refresh.periodicDue(now)) {
            tryRefresh(now, false);
        }
        return snapshot;
    }

    /** Returns the snapshot to answer a lookup that missed, first checking for outside changes if allowed. */
    private Snapshot afterMiss() {
        long now = nanoTime.getAsLong();
        if (refresh.missCheckAllowed(now)) {
            tryRefresh(now, true);
        }
        return snapshot;
    }

    private void tryRefresh(long now, boolean miss) {
        if (!lock.tryLock()) {
            return;
        }
        try {
            boolean allowed = miss ? refresh.missCheckAllowed(now) : refresh.periodicDue(now);
            if (closed || !allowed) {
                return;
            }
            refresh.checked(now, miss);
            long version = db.dataVersion();
            if (version != snapshot.dataVersion()) {
                long start = nanoTime.getAsLong();
                snapshot = Snapshot.of(UserTable.loadAll(db.connection()), version);
                LOG.debug("{}: changed by another process; reloaded {} users in {} ms", db.file(), snapshot.size(),
                        TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - start));
            }
            if (checkFailing) {
                checkFailing = false;
                LOG.info("{}: checking for changes works again", db.file());
            }
        } catch (SQLException e) {
            if (!checkFailing) {
                checkFailing = true;
                LOG.warn("{}: cannot check for changes by other processes, serving the last users loaded: {}",
                        db.file(), e.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    /** A user before and after an update. */
    private record Change(User before, User after) {
        /** Says what changed, for the log; never the password or HA1. */
        String describe() {
            List<String> parts = new ArrayList<>();
            if (!after.ha1().equals(before.ha1()) || !after.realm().equals(before.realm())) {
                parts.add("password");
            }
            if (!Objects.equals(after.extension(), before.extension())) {
                parts.add("extension " + before.extension() + " -> " + after.extension());
            }
            if (!Objects.equals(after.displayName(), before.displayName())) {
                parts.add("display name");
            }
            return String.join(", ", parts);
        }
    }
}
