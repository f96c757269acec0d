package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phones that configure themselves: {@code peerline phone add}, then the phone's file fetched as a phone fetches
 * it (curl over HTTP and TFTP), and the SIP password in it registers the line; an unknown MAC gets nothing.
 */
@Timeout(120)
class PhoneProvisioningIT {
    private static final String MAC = "00:15:65:12:ab:3c";
    private static final String GS_MAC = "000b82aabbcc";

    @TempDir
    Path dir;

    @Test
    void phonesFetchTheirFilesAndRegisterWithThem() throws Exception {
        Tools.require("curl", "curl");
        int tftp = freeUdpPort();
        try (GatewayFixture gw = GatewayFixture.start(dir, null,
                "provisioning: { tftp: \"127.0.0.1:" + tftp + "\", timezone: Europe/Paris }\n")) {
            String config = gw.configFile.toString();
            Cli.Run added = Cli.peerline("phone", "add", MAC, "--vendor", "yealink", "--model", "T46U",
                    "--user", "alice", "--config", config);
            assertEquals(0, added.status(), added.err());
            Matcher printed = Pattern.compile("SIP password \\(for setting it up by hand\\): (\\S+)").matcher(added.out());
            assertTrue(printed.find(), added.out());
            assertEquals(0, Cli.peerline("phone", "add", GS_MAC, "--vendor", "grandstream", "--user", "bob",
                    "--config", config).status());
            Cli.Run bad = Cli.peerline("phone", "add", "00:15:65", "--vendor", "yealink", "--user", "alice",
                    "--config", config);
            assertTrue(bad.status() != 0 && bad.err().contains("mac:"), bad.err());
            Cli.Run list = Cli.peerline("phone", "list", "--config", config);
            assertTrue(list.out().contains(MAC) && list.out().contains("grandstream"), list.out());

            int admin = gw.peerline.admin().address().getPort();
            String base = "http://127.0.0.1:" + admin + "/provision/";
            Fetch yealink = curl(base + "00156512ab3c.cfg");
            assertEquals(0, yealink.exit());
            String file = new String(yealink.body(), java.nio.charset.StandardCharsets.UTF_8);
            Matcher password = Pattern.compile("account\\.1\\.password\\s*=\\s*(\\S+)").matcher(file);
            assertTrue(password.find(), file);
            assertEquals(printed.group(1), password.group(1));
            assertTrue(file.contains("127.0.0.1") && file.contains(Integer.toString(gw.sipPort)),
                    "the file names the box's SIP address: " + file);
            assertArrayEquals(yealink.body(), curl("tftp://127.0.0.1:" + tftp + "/00156512ab3c.cfg").body(),
                    "TFTP serves the same file as HTTP");

            try (DigestClient phone = new DigestClient(gw.sipPort)) {
                assertEquals(200, phone.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", password.group(1)),
                        "the line registers with the password from the phone's file");
                assertEquals(401, phone.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", "guess"));
                assertEquals(200, phone.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", "alice-secret"),
                        "the user's own password still works");
            }

            Fetch gs = curl("tftp://127.0.0.1:" + tftp + "/cfg" + GS_MAC + ".xml");
            assertEquals(0, gs.exit());
            Matcher gsPassword = Pattern.compile("<P34>([^<]+)</P34>").matcher(new String(gs.body(),
                    java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(gsPassword.find(), new String(gs.body(), java.nio.charset.StandardCharsets.UTF_8));
            try (DigestClient phone = new DigestClient(gw.sipPort)) {
                assertEquals(200, phone.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "bob", gsPassword.group(1)));
            }

            assertEquals(404, curl(base + "0015651200ff.cfg").status(), "an unknown MAC gets nothing");
            assertEquals(404, curl(base + "spa00156512ab3c.xml").status(), "a Yealink is no Cisco");
            assertEquals(404, curl(base + "../users.db").status());
            assertEquals(68, curl("tftp://127.0.0.1:" + tftp + "/0015651200ff.cfg").exit(), "TFTP: file not found");

            assertEquals(0, Cli.peerline("phone", "remove", MAC, "--config", config).status());
            Wait.within(Duration.ofSeconds(5), "the removed phone's password to stop working", () -> {
                try (DigestClient phone = new DigestClient(gw.sipPort)) {
                    return phone.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", password.group(1)) == 401;
                } catch (IOException e) {
                    return false;
                }
            });
            assertEquals(404, curl(base + "00156512ab3c.cfg").status());

            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                statuses.add(curl(base + String.format("0015650000%02x.cfg", i)).status());
            }
            assertTrue(statuses.contains(429), "guessing MACs is rate limited: " + statuses);
        }
    }

    /** What curl fetched: its exit status, the HTTP status (0 for TFTP) and the body. */
    record Fetch(int exit, int status, byte[] body) {
    }

    private Fetch curl(String url) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "fetch", ".bin");
        Process p = new ProcessBuilder("curl", "-s", "-o", out.toString(), "-w", "%{http_code}", "--max-time", "10",
                url).redirectErrorStream(true).start();
        String written = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "curl finished");
        int status = written.matches("\\d{3}") ? Integer.parseInt(written) : 0;
        return new Fetch(p.exitValue(), status, Files.readAllBytes(out));
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
