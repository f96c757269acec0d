package org.peerline.provisioning.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.peerline.provisioning.api.User;

/** The SQL for the {@code users} table. Every method runs on the caller's connection (and transaction). */
final class UserTable {
    private static final String COLUMNS = "name, extension, display_name, realm, ha1, created_ms";
    /** Rows per JDBC batch: sqlite-jdbc runs a batch in one call, several times faster than row by row. */
    private static final int INSERT_BATCH = 1_000;

    private UserTable() {
    }

    static List<User> loadAll(Connection c) throws SQLException {
        List<User> users = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + COLUMNS + " FROM users")) {
            while (rs.next()) {
                users.add(read(rs));
            }
        }
        return users;
    }

    static Optional<User> select(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM users WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    static boolean nameExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Returns the name of the user whose extension is {@code extension}, or null. */
    static String extensionOwner(Connection c, String extension) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM users WHERE extension = ?")) {
            ps.setString(1, extension);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Fills {@code names} with every user name and {@code extensionOwners} with extension to user name. */
    static void loadKeys(Connection c, Set<String> names, Map<String, String> extensionOwners) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name, extension FROM users")) {
            while (rs.next()) {
                String name = rs.getString(1);
                String extension = rs.getString(2);
                names.add(name);
                if (extension != null) {
                    extensionOwners.put(extension, name);
                }
            }
        }
    }

    /** Inserts {@code users}; the caller's transaction makes it all or nothing. */
    static void insertAll(Connection c, List<User> users) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            int pending = 0;
            for (User user : users) {
                ps.setString(1, user.name());
                ps.setString(2, user.extension());
                ps.setString(3, user.displayName());
                ps.setString(4, user.realm());
                ps.setString(5, user.ha1());
                ps.setLong(6, user.created().toEpochMilli());
                ps.addBatch();
                if (++pending == INSERT_BATCH) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }

    static void update(Connection c, User user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE users SET extension = ?, display_name = ?, realm = ?, ha1 = ? WHERE name = ?")) {
            ps.setString(1, user.extension());
            ps.setString(2, user.displayName());
            ps.setString(3, user.realm());
            ps.setString(4, user.ha1());
            ps.setString(5, user.name());
            ps.executeUpdate();
        }
    }

    static boolean delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE name = ?")) {
            ps.setString(1, name);
            return ps.executeUpdate() > 0;
        }
    }

    private static User read(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                Instant.ofEpochMilli(rs.getLong(6)));
    }
}
