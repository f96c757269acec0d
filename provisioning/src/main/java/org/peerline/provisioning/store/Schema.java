package org.peerline.provisioning.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.peerline.provisioning.api.ProvisioningException;

/**
 * The schema of {@code users.db} and its migrations. {@code schema_version} holds one row per applied migration;
 * migration {@code n} (1-based) is {@code MIGRATIONS.get(n - 1)}. Append new migrations; never edit applied ones.
 */
final class Schema {
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE users (
                        name         TEXT    NOT NULL PRIMARY KEY,
                        extension    TEXT    UNIQUE,
                        display_name TEXT,
                        realm        TEXT    NOT NULL,
                        ha1          TEXT    NOT NULL CHECK (length(ha1) = 32),
                        created_ms   INTEGER NOT NULL
                    ) WITHOUT ROWID"""),
            List.of("""
                    CREATE TABLE phones (
                        mac        TEXT    NOT NULL PRIMARY KEY CHECK (length(mac) = 12),
                        vendor     TEXT    NOT NULL,
                        model      TEXT,
                        password   TEXT    NOT NULL,
                        created_ms INTEGER NOT NULL
                    ) WITHOUT ROWID""", """
                    CREATE TABLE phone_lines (
                        mac       TEXT    NOT NULL,
                        line      INTEGER NOT NULL,
                        user_name TEXT    NOT NULL,
                        PRIMARY KEY (mac, line)
                    ) WITHOUT ROWID""", "CREATE INDEX phone_lines_user ON phone_lines (user_name)", """
                    CREATE TABLE settings (
                        key   TEXT NOT NULL PRIMARY KEY,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID"""));

    /** The schema version this code writes. */
    static final int LATEST = MIGRATIONS.size();

    private Schema() {
    }

    /**
     * Creates or upgrades the schema. Runs inside the caller's write transaction.
     *
     * @return the version found before migrating (0 for a new database)
     */
    static int migrate(Connection connection, String file, long nowMillis) throws SQLException, ProvisioningException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER NOT NULL PRIMARY KEY, applied_ms INTEGER NOT NULL)");
        }
        int found = currentVersion(connection);
        if (found > LATEST) {
            throw new ProvisioningException(file + " has schema version " + found + ", but this version of Peerline "
                    + "only knows versions up to " + LATEST + "; upgrade Peerline or restore a backup");
        }
        for (int version = found + 1; version <= LATEST; version++) {
            try (Statement st = connection.createStatement()) {
                for (String sql : MIGRATIONS.get(version - 1)) {
                    st.execute(sql);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO schema_version (version, applied_ms) VALUES (?, ?)")) {
                insert.setInt(1, version);
                insert.setLong(2, nowMillis);
                insert.executeUpdate();
            }
        }
        return found;
    }

    private static int currentVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
