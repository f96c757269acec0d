package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.provisioning.phones.ProfileSite;

/**
 * Phone files behind HTTP digest, fetched by curl (a real digest client): the phone's MAC and SIP password open
 * its own file and no other, and a caller without them cannot tell a known MAC from an unknown one.
 */
class PhoneFileDigestTest {
    @TempDir
    Path dir;

    @Test
    void onlyThePhoneItselfFetchesItsFile() throws Exception {
        assumeTrue(System.getenv("PEERLINE_REQUIRE_TOOLS") != null || onPath("curl"), "curl is not installed");
        try (Provisioning p = Provisioning.open(dir, "site.example")) {
            p.users().add(new NewUser("alice", "pw-alice", "1001", null));
            p.users().add(new NewUser("bob", "pw-bob", "1002", null));
            Phone a = p.phones().add(new NewPhone("00156512ab3c", Vendor.YEALINK, null, List.of("alice")));
            Phone b = p.phones().add(new NewPhone("00156512ab3d", Vendor.YEALINK, null, List.of("bob")));
            PhoneFiles files = new PhoneFiles(p.phones(), p.users(), new ProfileSite("site.example", "192.0.2.10",
                    5060, "udp", ZoneId.of("UTC"), "pool.ntp.org", List.of("PCMU")), System::currentTimeMillis);
            try (AdminServer server = AdminServer.startPhoneFilesOnly(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), files, true)) {
                String url = "http://127.0.0.1:" + server.address().getPort() + "/provision/";
                Fetch own = curl(url + "00156512ab3c.cfg", a.mac() + ":" + a.password());
                assertEquals("200", own.status());
                assertTrue(own.body().contains("account.1.password = " + a.password()), own.body());
                assertEquals("401", curl(url + "00156512ab3c.cfg", null).status(), "no credentials");
                assertEquals("401", curl(url + "00156512ab3c.cfg", a.mac() + ":wrong").status());
                assertEquals("401", curl(url + "00156512ab3c.cfg", b.mac() + ":" + b.password()).status(),
                        "a phone cannot fetch another phone's file");
                assertEquals("401", curl(url + "0015651200ff.cfg", null).status(),
                        "an unknown MAC gets the same answer as a known one");
                assertEquals("200", curl(url + "00156512ab3d.cfg", b.mac() + ":" + b.password()).status());
            }
        }
    }

    private record Fetch(String status, String body) {
    }

    private Fetch curl(String url, String credentials) throws Exception {
        Path out = dir.resolve("out-" + System.nanoTime());
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-s", "-o", out.toString(), "-w", "%{http_code}",
                "--max-time", "10"));
        if (credentials != null) {
            cmd.addAll(List.of("--digest", "-u", credentials));
        }
        cmd.add(url);
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String status = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(proc.waitFor(20, TimeUnit.SECONDS));
        String body = java.nio.file.Files.exists(out) ? java.nio.file.Files.readString(out) : "";
        return new Fetch(status, body);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (java.nio.file.Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
