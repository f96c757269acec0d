package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's admin endpoints the page uses: users as CSV out and in (all or nothing), the backup download, and
 * a restore uploaded from the page, staged and applied at the next start.
 */
@Timeout(120)
class AdminApiIT {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void csvOutAndInAndARestoreFromThePage() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir, null)) {
            String base = "http://127.0.0.1:" + gw.peerline.admin().address().getPort();
            HttpResponse<String> csv = http.send(HttpRequest.newBuilder(URI.create(base + "/api/users.csv")).build(),
                    BodyHandlers.ofString());
            assertEquals(200, csv.statusCode());
            assertEquals("name,password,extension,display\r\nalice,,2001,Alice\r\nbob,,2002,Bob\r\n", csv.body());
            assertTrue(csv.headers().firstValue("Content-Disposition").orElse("").contains("attachment"));

            HttpResponse<String> bad = upload(base + "/api/users.csv", "text/csv",
                    "name,password,extension,display\ncarol,pw,2003,\"Carol, C.\"\ndave,pw,2001,\n".getBytes());
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("2001"), "the message names the taken extension: " + bad.body());
            assertTrue(gw.peerline.provisioning().users().find("carol").isEmpty(), "all or nothing");
            HttpResponse<String> good = upload(base + "/api/users.csv", "text/csv",
                    "name,password,extension,display\ncarol,pw,2003,\"Carol, C.\"\n".getBytes());
            assertEquals(200, good.statusCode(), good.body());
            assertEquals("Carol, C.", gw.peerline.provisioning().users().find("carol").orElseThrow().displayName());

            HttpResponse<byte[]> backup = http.send(HttpRequest.newBuilder(URI.create(base + "/api/backup")).build(),
                    BodyHandlers.ofByteArray());
            assertEquals(200, backup.statusCode());
            assertEquals("application/zip", backup.headers().firstValue("Content-Type").orElse(""));
            gw.peerline.provisioning().users().remove("carol");

            assertEquals(400, upload(base + "/api/restore", "application/zip", "not a zip".getBytes()).statusCode());
            HttpResponse<String> staged = upload(base + "/api/restore", "application/zip", backup.body());
            assertEquals(200, staged.statusCode(), staged.body());
            assertTrue(staged.body().contains("\"staged\":true"), staged.body());
            assertTrue(gw.peerline.provisioning().users().find("carol").isEmpty(), "nothing changes before a restart");

            gw.restart();
            assertTrue(gw.peerline.provisioning().users().find("carol").isPresent(), "the restart applied the restore");
            assertFalse(Files.exists(gw.data.resolve("restore-staged.zip")), "and it is applied once");
            try (DigestClient c = new DigestClient(gw.sipPort)) {
                assertEquals(200, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "carol", "pw"));
            }
            HttpResponse<String> ring = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + gw.peerline.admin().address().getPort() + "/api/overlay/ring")).build(), BodyHandlers.ofString());
            assertEquals(404, ring.statusCode(), "a box in no overlay says so");
        }
    }

    private HttpResponse<String> upload(String url, String type, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofString());
    }
}
