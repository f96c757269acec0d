package org.peerline.provisioning.api;

import java.nio.file.Path;
import java.util.Objects;
import org.peerline.provisioning.store.SqliteUserStore;

/**
 * The box's provisioning store, opened on its data directory. Today it holds the site's SIP users.
 *
 * <p>Storage: the SQLite database {@code users.db} in the data directory, in WAL mode with {@code synchronous=FULL},
 * so a change is on disk, and survives a crash or power loss, when the call that made it returns. A
 * {@code schema_version} table records the applied schema migrations; opening a database written by a newer
 * version fails rather than risk damaging it. Several processes may open the same directory (the daemon and the
 * {@code peerline user} CLI); each sees the others' changes (see {@link Users}).
 *
 * <p>Create one instance per process with {@link #open} and close it on shutdown.
 */
public final class Provisioning implements AutoCloseable {
    /** The database's file name inside the data directory. */
    public static final String USERS_DB = "users.db";

    private final SqliteUserStore users;

    private Provisioning(SqliteUserStore users) {
        this.users = users;
    }

    /**
     * Opens the store in {@code dataDir}, creating the directory (owner-only permissions) and an empty database if
     * they do not exist, and migrating the schema if it is older.
     *
     * @param dataDir the data directory, for example {@code /var/lib/peerline}
     * @param realm   the digest realm (normally the site's domain) that new and reset passwords are stored for;
     *                1-255 characters without control characters, quotes or backslashes
     * @return the open store
     * @throws InvalidInputException if the realm is invalid
     * @throws ProvisioningException if the directory or database cannot be created or opened, or the database's
     *                               schema is newer than this software
     */
    public static Provisioning open(Path dataDir, String realm) throws ProvisioningException {
        Objects.requireNonNull(dataDir, "dataDir");
        return new Provisioning(SqliteUserStore.open(dataDir, realm));
    }

    /**
     * Returns the site's users.
     *
     * @return the users, backed by this store; thread-safe
     */
    public Users users() {
        return users;
    }

    /**
     * Writes a consistent copy of the database (users, phones and its schema version) to {@code target}, a file that
     * must not exist; safe while other processes write. Opening the copy with a newer Peerline migrates it.
     *
     * @param target the file to create
     * @throws ProvisioningException if the copy fails
     */
    public void backupTo(Path target) throws ProvisioningException {
        users.backupTo(target);
    }

    /**
     * Returns the admin page's account (its password).
     *
     * @return the account; thread-safe
     */
    public AdminAccount admin() {
        return users.admin();
    }

    /**
     * Returns the site's desk phones (same database as the users).
     *
     * @return the phones; thread-safe
     */
    public Phones phones() {
        return users.phones();
    }

    /**
     * Returns the realm that new and reset passwords are stored for.
     *
     * @return the realm given to {@link #open}
     */
    public String realm() {
        return users.realm();
    }

    /**
     * Closes the database. Lookups through {@link #users()} then keep answering from the last loaded users; changes
     * fail. Closing twice does nothing.
     */
    @Override
    public void close() {
        users.close();
    }
}
