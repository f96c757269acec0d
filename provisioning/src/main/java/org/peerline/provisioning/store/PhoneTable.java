package org.peerline.provisioning.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.peerline.provisioning.api.Phone;
import org.peerline.provisioning.api.Vendor;

/** The SQL for the {@code phones} and {@code phone_lines} tables, on the caller's connection and transaction. */
final class PhoneTable {
    private PhoneTable() {
    }

    static List<Phone> loadAll(Connection c) throws SQLException {
        Map<String, List<String>> lines = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT mac, user_name FROM phone_lines ORDER BY mac, line")) {
            while (rs.next()) {
                lines.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        List<Phone> phones = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT mac, vendor, model, password, created_ms FROM phones ORDER BY mac")) {
            while (rs.next()) {
                String mac = rs.getString(1);
                phones.add(new Phone(mac, Vendor.parse(rs.getString(2)), rs.getString(3),
                        lines.getOrDefault(mac, List.of()), rs.getString(4), Instant.ofEpochMilli(rs.getLong(5))));
            }
        }
        return phones;
    }

    static boolean exists(Connection c, String mac) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM phones WHERE mac = ?")) {
            ps.setString(1, mac);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Returns the MAC of a phone that has {@code user} as a line, or null. */
    static String phoneOf(Connection c, String user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT mac FROM phone_lines WHERE user_name = ? ORDER BY mac LIMIT 1")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static void insert(Connection c, Phone phone) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO phones (mac, vendor, model, password, created_ms) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, phone.mac());
            ps.setString(2, phone.vendor().id());
            ps.setString(3, phone.model());
            ps.setString(4, phone.password());
            ps.setLong(5, phone.created().toEpochMilli());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO phone_lines (mac, line, user_name) VALUES (?, ?, ?)")) {
            for (int i = 0; i < phone.lines().size(); i++) {
                ps.setString(1, phone.mac());
                ps.setInt(2, i + 1);
                ps.setString(3, phone.lines().get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static boolean delete(Connection c, String mac) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM phone_lines WHERE mac = ?")) {
            ps.setString(1, mac);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM phones WHERE mac = ?")) {
            ps.setString(1, mac);
            return ps.executeUpdate() > 0;
        }
    }
}
