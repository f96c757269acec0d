package org.peerline.provisioning.store;

import java.nio.file.Path;
import java.security.SecureRandom;
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
import org.peerline.provisioning.api.AdminAccount;
import org.peerline.provisioning.api.DigestHa1;
import org.peerline.provisioning.api.InUseException;
import org.peerline.provisioning.api.InvalidInputException;
import org.peerline.provisioning.api.NewPhone;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.Phone;
import org.peerline.provisioning.api.Phones;
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
    private final Phones phones = new PhoneStore();
    private final AdminAccount admin = new AdminStore();
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
            List<Phone> phones = PhoneTable.loadAll(db.connection());
            SqliteUserStore store = new SqliteUserStore(db, realm, nanoTime, clock,
                    Snapshot.of(users, phones, version), refresh);
            LOG.info("{}: {} users, {} phones, realm '{}'", db.file(), users.size(), phones.size(), realm);
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
        boolean removed = write(c -> {
            String phone = PhoneTable.phoneOf(c, name);
            if (phone != null) {
                throw new InUseException("user '" + name + "' is a line of phone " + phone
                        + "; remove the phone first");
            }
            return UserTable.delete(c, name);
        }, s -> s.without(name));
        if (removed) {
            LOG.info("removed user '{}'", name);
        }
        return removed;
    }

    /**
     * Writes a consistent copy of the whole database (users, phones, schema version) to {@code target}, which must
     * not exist, with SQLite's {@code VACUUM INTO}: safe while the daemon and the CLI write.
     *
     * @param target the file to create
     * @throws ProvisioningException if the copy fails
     */
    public void backupTo(Path target) throws ProvisioningException {
        lock.lock();
        try {
            ensureOpen();
            try (java.sql.PreparedStatement ps = db.connection().prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, target.toAbsolutePath().toString());
                ps.execute();
            } catch (SQLException e) {
                throw db.failure("cannot copy the database to " + target, e);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the site's phones, kept in the same database (and snapshot) as the users, whose lines they refer to.
     *
     * @return the phones
     */
    public Phones phones() {
        return phones;
    }

    /**
     * Returns the admin page's account, whose password hash is kept in the same database.
     *
     * @return the account
     */
    public AdminAccount admin() {
        return admin;
    }

    /** {@link AdminAccount} on the {@code settings} table; read from the database at each use (logins are rare). */
    private final class AdminStore implements AdminAccount {
        @Override
        public boolean hasPassword() {
            return stored() != null;
        }

        @Override
        public void setPassword(String password) throws ProvisioningException {
            Validation.password("password", password);
            if (password.codePointCount(0, password.length()) < MIN_PASSWORD) {
                throw new InvalidInputException("password", "needs at least " + MIN_PASSWORD + " characters");
            }
            String hash = AdminSecret.hash(password);
            write(c -> {
                try (java.sql.PreparedStatement ps = c.prepareStatement(
                        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")) {
                    ps.setString(1, AdminSecret.KEY);
                    ps.setString(2, hash);
                    return ps.executeUpdate();
                }
            }, s -> s);
            LOG.info("the admin password was set");
        }

        @Override
        public boolean verify(String password) {
            return password != null && AdminSecret.verify(password, stored());
        }

        private String stored() {
            lock.lock();
            try {
                if (closed) {
                    return null;
                }
                try (java.sql.PreparedStatement ps = db.connection().prepareStatement(
                        "SELECT value FROM settings WHERE key = ?")) {
                    ps.setString(1, AdminSecret.KEY);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                }
            } catch (SQLException e) {
                LOG.warn("{}: cannot read the admin password: {}", db.file(), e.getMessage());
                return null;
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@link Phones} on the same connection, lock and snapshot as the users. */
    private final class PhoneStore implements Phones {
        private final SecureRandom random = new SecureRandom();

        @Override
        public Optional<Phone> find(String mac) {
            String key = Validation.macOrNull(Objects.requireNonNull(mac, "mac"));
            return key == null ? Optional.empty() : Optional.ofNullable(current().phone(key));
        }

        @Override
        public List<Phone> list() {
            return current().phones();
        }

        @Override
        public Phone add(NewPhone phone) throws ProvisioningException {
            Objects.requireNonNull(phone, "phone");
            String mac = Validation.mac("mac", phone.mac());
            if (phone.vendor() == null) {
                throw new InvalidInputException("vendor", "is required");
            }
            Phone row = new Phone(mac, phone.vendor(), Validation.model("model", phone.model()),
                    Validation.lines("lines", phone.lines()), newPassword(),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS));
            write(c -> {
                if (PhoneTable.exists(c, mac)) {
                    throw new InUseException("phone " + row.displayMac() + " exists");
                }
                for (String line : row.lines()) {
                    if (!UserTable.nameExists(c, line)) {
                        throw new UnknownUserException(line);
                    }
                }
                PhoneTable.insert(c, row);
                return null;
            }, s -> s.withPhone(row));
            LOG.info("added phone {} ({}{}) with lines {}", row.displayMac(), row.vendor().id(),
                    row.model() == null ? "" : " " + row.model(), row.lines());
            return row;
        }

        @Override
        public boolean remove(String mac) throws ProvisioningException {
            String key = Validation.macOrNull(Objects.requireNonNull(mac, "mac"));
            if (key == null) {
                return false;
            }
            boolean removed = write(c -> PhoneTable.delete(c, key), s -> s.withoutPhone(key));
            if (removed) {
                LOG.info("removed phone {}", key);
            }
            return removed;
        }

        @Override
        public List<String> lineHa1s(String user) {
            List<Phone> on = current().phonesOf(user);
            if (on.isEmpty()) {
                return List.of();
            }
            List<String> ha1s = new ArrayList<>(on.size());
            for (Phone phone : on) {
                ha1s.add(DigestHa1.of(user, realm, phone.password()));
            }
            return ha1s;
        }

        /** 20 letters and digits from a CSPRNG: about 119 bits, and safe in every vendor's file format. */
        private String newPassword() {
            String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
            StringBuilder sb = new StringBuilder(20);
            for (int i = 0; i < 20; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return sb.toString();
        }
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

    /** Runs {@code work} in a write transaction under the lock, then publishes {@code then} of the snapshot. */
    private <T> T write(SqlWork<T> work, java.util.function.UnaryOperator<Snapshot> then)
            throws ProvisioningException {
        lock.lock();
        try {
            ensureOpen();
            T result = db.inTransaction(work);
            snapshot = then.apply(snapshot);
            return result;
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
        write(c -> {
            Claims claims = Claims.forBatch(c, rows.size());
            for (int i = 0; i < rows.size(); i++) {
                claims.claimNew(rows.get(i), batch ? "users[" + i + "]: " : "");
            }
            UserTable.insertAll(c, rows);
            return null;
        }, s -> s.withAll(rows));
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
                snapshot = Snapshot.of(UserTable.loadAll(db.connection()), PhoneTable.loadAll(db.connection()),
                        version);
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
