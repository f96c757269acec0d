package org.peerline.provisioning.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Properties;
import java.util.Set;
import org.peerline.provisioning.api.Provisioning;
import org.peerline.provisioning.api.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.JDBC;

/**
 * The one SQLite connection to {@code users.db}. Not thread-safe: the store serialises every call with its lock.
 *
 * <p>Crash safety: the database runs in WAL mode with {@code synchronous=FULL}, so a transaction is fsynced to the
 * WAL before {@code COMMIT} returns and survives a crash or power loss. Writes use {@code BEGIN IMMEDIATE} so that the
 * checks and the change of one call are atomic with respect to other processes (the CLI) writing the same file.
 */
final class Database implements AutoCloseable {
    static final String FILE_NAME = Provisioning.USERS_DB;
    /** How long a write waits for another process's write transaction before failing with SQLITE_BUSY. */
    static final int BUSY_TIMEOUT_MILLIS = 5_000;
    /** Page cache in KiB (SQLite's default is 2 MiB): bulk loads of 100,000+ users stay in memory until commit. */
    static final int CACHE_KIB = 16 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final Connection connection;
    private final Path file;

    private Database(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
    }

    /** Opens (creating if needed) {@code users.db} in {@code dataDir} and brings its schema up to date. */
    static Database open(Path dataDir, Clock clock) throws ProvisioningException {
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        createPrivately(dataDir, file);
        Connection connection;
        try {
            // Directly, not through DriverManager: works even if a shaded jar loses the driver's service file.
            connection = JDBC.createConnection(JDBC.PREFIX + file, new Properties());
        } catch (SQLException e) {
            throw new ProvisioningException("cannot open " + file + ": " + e.getMessage(), e);
        }
        Database db = new Database(connection, file);
        boolean ok = false;
        try {
            db.configure();
            int found = db.inTransaction(c -> Schema.migrate(c, file.toString(), clock.millis()));
            if (found < Schema.LATEST) {
                LOG.info("{}: schema version {} -> {}", file, found, Schema.LATEST);
            }
            ok = true;
            return db;
        } finally {
            if (!ok) {
                db.close();
            }
        }
    }

    Path file() {
        return file;
    }

    Connection connection() {
        return connection;
    }

    /**
     * Returns SQLite's {@code PRAGMA data_version}: it changes when another connection (another process) commits,
     * and not when this connection does.
     */
    long dataVersion() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("PRAGMA data_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs {@code work} in a {@code BEGIN IMMEDIATE} transaction; commits if it returns, rolls back if it throws. */
    <T> T inTransaction(SqlWork<T> work) throws ProvisioningException {
        boolean committed = false;
        try {
            execute("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            throw failure("cannot start a write transaction", e);
        }
        try {
            T result = work.run(connection);
            execute("COMMIT");
            committed = true;
            return result;
        } catch (SQLException e) {
            throw failure("write failed", e);
        } finally {
            if (!committed) {
                rollback();
            }
        }
    }

    /** Wraps a SQLite failure with the file name, for the operator. */
    ProvisioningException failure(String what, SQLException e) {
        return new ProvisioningException(file + ": " + what + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("{}: close failed: {}", file, e.getMessage());
        }
    }

    private void configure() throws ProvisioningException {
        try {
            execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
            String mode = queryString("PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                LOG.warn("{}: SQLite refused WAL mode (journal_mode is {}); commits stay durable, but readers may wait "
                        + "for writers", file, mode);
            }
            execute("PRAGMA synchronous = FULL");
            execute("PRAGMA cache_size = -" + CACHE_KIB);
            String synchronous = queryString("PRAGMA synchronous");
            if (!"2".equals(synchronous)) {
                throw new ProvisioningException(file + ": cannot set synchronous=FULL (it is " + synchronous + ")");
            }
        } catch (SQLException e) {
            throw failure("cannot configure the database", e);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    private String queryString(String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private void rollback() {
        try {
            execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR): then nothing is left open
            LOG.debug("{}: rollback: {}", file, e.getMessage());
        }
    }

    /**
     * Creates the data directory (owner-only) and an empty database file readable by its owner only: it holds HA1
     * values, which are password equivalents. SQLite gives its WAL and shared-memory files the same permissions.
     * Existing directories and files are left as they are.
     */
    private static void createPrivately(Path dataDir, Path file) throws ProvisioningException {
        boolean posix = dataDir.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (!Files.isDirectory(dataDir)) {
                Files.createDirectories(dataDir, permissions(posix, "rwx------"));
            }
        } catch (IOException e) {
            throw new ProvisioningException("cannot create the data directory " + dataDir + ": " + e, e);
        }
        try {
            Files.createFile(file, permissions(posix, "rw-------"));
        } catch (FileAlreadyExistsException e) {
            // an existing database: keep it, and its permissions, as they are
        } catch (IOException e) {
            throw new ProvisioningException("cannot create " + file + ": " + e, e);
        }
    }

    private static FileAttribute<?>[] permissions(boolean posix, String mode) {
        if (!posix) {
            return new FileAttribute<?>[0];
        }
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)};
    }
}
