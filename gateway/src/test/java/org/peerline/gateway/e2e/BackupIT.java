package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.Peerline;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.provisioning.api.DigestHa1;
import org.peerline.provisioning.api.NewPhone;
import org.peerline.provisioning.api.Phone;
import org.peerline.provisioning.api.Vendor;

/** {@code peerline backup} and {@code restore}: backup, wipe, restore, and the same users and phones register. */
@Timeout(120)
class BackupIT {
    @TempDir
    Path dir;

    @Test
    void backupWipeRestoreAndTheSameUsersRegister() throws Exception {
        Path backup = dir.resolve("box.zip");
        Path config;
        Path data;
        int sipPort;
        Phone phone;
        try (GatewayFixture gw = GatewayFixture.start(dir, null)) {
            config = gw.configFile;
            data = gw.data;
            sipPort = gw.sipPort;
            phone = gw.peerline.provisioning().phones().add(new NewPhone("00156512ab3c", Vendor.POLYCOM, "VVX 411",
                    List.of("alice")));
            Files.createDirectories(data.resolve("overlay").resolve("node"));
            Files.writeString(data.resolve("overlay").resolve("node").resolve("node.crt"), "a certificate\n");
            Cli.Run run = Cli.peerline("backup", backup.toString(), "--config", config.toString());
            assertEquals(0, run.status(), run.err());
            assertTrue(run.out().contains("2 users, 1 phones"), run.out());
        }
        String yaml = Files.readString(config);
        deleteTree(data);
        Files.delete(config);
        assertFalse(Files.exists(data));

        Cli.Run restored = Cli.peerline("restore", backup.toString(), "--config", config.toString());
        assertEquals(0, restored.status(), restored.err());
        assertTrue(restored.out().contains("restored 2 users, 1 phones"), restored.out());
        assertEquals(yaml, Files.readString(config), "the configuration came back");
        assertEquals("a certificate\n", Files.readString(data.resolve("overlay").resolve("node").resolve("node.crt")));

        try (Peerline box = Peerline.start(ConfigLoader.load(config), TimeSource.SYSTEM);
             DigestClient c = new DigestClient(sipPort)) {
            assertEquals(200, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", "alice-secret"));
            assertEquals(200, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "bob", "bob-secret"));
            assertEquals(200, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", phone.password()),
                    "the phone's password came back too");
            assertEquals(phone, box.provisioning().phones().find("00156512ab3c").orElseThrow());
        }

        Cli.Run again = Cli.peerline("restore", backup.toString(), "--config", config.toString());
        assertEquals(1, again.status());
        assertTrue(again.err().contains("holds 2 users and 1 phones"), again.err());
        assertEquals(0, Cli.peerline("restore", backup.toString(), "--config", config.toString(), "--force").status());
    }

    @Test
    void aBackupOfAnOlderVersionRestoresIntoThisOne() throws Exception {
        // what a box whose database had schema version 1 (users only, before phones) wrote
        Path oldDb = dir.resolve("old-users.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + oldDb); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_ms INTEGER NOT NULL)");
            st.execute("INSERT INTO schema_version VALUES (1, 0)");
            st.execute("CREATE TABLE users (name TEXT NOT NULL PRIMARY KEY, extension TEXT UNIQUE, display_name TEXT,"
                    + " realm TEXT NOT NULL, ha1 TEXT NOT NULL CHECK (length(ha1) = 32), created_ms INTEGER NOT NULL)"
                    + " WITHOUT ROWID");
            st.execute("INSERT INTO users VALUES ('carol', '2003', 'Carol', '" + GatewayFixture.DOMAIN + "', '"
                    + DigestHa1.of("carol", GatewayFixture.DOMAIN, "carol-secret") + "', 0)");
        }
        int port = GatewayFixture.freePort();
        String yaml = "site: { name: old-site, domain: " + GatewayFixture.DOMAIN + " }\n"
                + "data: " + dir.resolve("restored-data") + "\n"
                + "sip:\n  listen: [ \"udp:127.0.0.1:" + port + "\" ]\n"
                + "admin: { listen: \"127.0.0.1:0\", https: off }\n";
        Path backup = dir.resolve("old.zip");
        try (OutputStream out = Files.newOutputStream(backup); ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, "peerline-backup.json", "{\"format\":1,\"peerline\":\"0.1.0\",\"site\":\"old-site\"}".getBytes());
            put(zip, "config/peerline.yaml", yaml.getBytes());
            put(zip, "data/users.db", Files.readAllBytes(oldDb));
        }
        Path config = dir.resolve("fresh").resolve("peerline.yaml");
        Files.createDirectories(config.getParent());
        Cli.Run restored = Cli.peerline("restore", backup.toString(), "--config", config.toString());
        assertEquals(0, restored.status(), restored.err());
        assertTrue(restored.out().contains("restored 1 users, 0 phones"), restored.out());
        try (Peerline box = Peerline.start(ConfigLoader.load(config), TimeSource.SYSTEM);
             DigestClient c = new DigestClient(port)) {
            assertEquals(200, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "carol", "carol-secret"));
            assertEquals("Carol", box.provisioning().users().find("carol").orElseThrow().displayName());
        }

        Path future = dir.resolve("future.zip");
        try (OutputStream out = Files.newOutputStream(future); ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, "peerline-backup.json", "{\"format\":99}".getBytes());
        }
        Cli.Run refused = Cli.peerline("restore", future.toString(), "--config", config.toString(), "--force");
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("format 99"), refused.err());
        Path evil = dir.resolve("evil.zip");
        try (OutputStream out = Files.newOutputStream(evil); ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, "peerline-backup.json", "{\"format\":1}".getBytes());
            put(zip, "data/../../escaped", "x".getBytes());
        }
        Cli.Run escaped = Cli.peerline("restore", evil.toString(), "--config", config.toString(), "--force");
        assertEquals(1, escaped.status());
        assertTrue(escaped.err().contains("outside"), escaped.err());
        assertFalse(Files.exists(dir.resolve("escaped")));
    }

    private static void put(ZipOutputStream zip, String name, byte[] body) throws java.io.IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(body);
        zip.closeEntry();
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
