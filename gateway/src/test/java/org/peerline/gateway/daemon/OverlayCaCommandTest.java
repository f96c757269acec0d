package org.peerline.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.overlay.security.Credentials;

/** {@code peerline overlay ca init|issue}: a CA once per overlay, node certificates that bind Node-ID and domains. */
class OverlayCaCommandTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path cfg = dir.resolve("peerline.yaml");
        Files.writeString(cfg, "site: { name: site-a, domain: site-a.example }\ndata: " + dir.resolve("data") + "\n");
        return cfg;
    }

    @Test
    void createsTheCaOnceAndIssuesCertificatesThatNameTheNodeAndItsDomains() throws Exception {
        Path cfg = config();
        assertEquals(Main.FAILURE, Main.execute("overlay", "ca", "issue", "--site", "a", "--domain", "a.example",
                "--config", cfg.toString()), "no CA yet");
        assertEquals(0, Main.execute("overlay", "ca", "init", "--overlay", "acme", "--config", cfg.toString()));
        Path ca = dir.resolve("data/overlay/ca");
        assertEquals(java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(ca.resolve("ca.key")));
        assertEquals(Main.FAILURE, Main.execute("overlay", "ca", "init", "--config", cfg.toString()), "a second CA is refused");

        assertEquals(0, Main.execute("overlay", "ca", "issue", "--site", "site-b", "--domain", "site-b.example",
                "--domain", "b2.example", "--out", dir.resolve("b").toString(), "--config", cfg.toString()));
        assertEquals(0, Main.execute("overlay", "ca", "issue", "--site", "site-c", "--domain", "site-c.example",
                "--out", dir.resolve("c").toString(), "--config", cfg.toString()));
        Credentials b = Credentials.load(dir.resolve("b"));
        Credentials c = Credentials.load(dir.resolve("c"));
        assertEquals(List.of("site-b.example", "b2.example"), b.domains());
        assertNotEquals(b.nodeId(), c.nodeId());
        b.certificate().verify(b.ca().getPublicKey());
        assertTrue(b.certificate().getSubjectAlternativeNames().toString().contains("reload://" + b.nodeId() + "@acme/"),
                b.certificate().getSubjectAlternativeNames().toString());

        assertEquals(Main.BAD_CONFIG, Main.execute("overlay", "ca", "issue", "--site", "x", "--domain", "bad domain!",
                "--config", cfg.toString()));
        assertEquals(Main.BAD_CONFIG, Main.execute("overlay", "ca", "issue", "--site", "x", "--config", cfg.toString()),
                "--domain is required");
    }
}
