package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.Peerline;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.overlay.security.Credentials;

/**
 * {@code peerline federation init|invite|join}: the first box creates the federation, invites a site with a
 * token, and the new box trades the token for its certificate over HTTPS and joins the overlay; a used or
 * forged token is refused with a clear message.
 */
@Timeout(120)
class FederationIT {
    @TempDir
    Path dir;
    private final List<Peerline> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(Peerline::close);
    }

    private Path config(String site, String overlay) throws Exception {
        Path cfg = dir.resolve(site + ".yaml");
        Files.writeString(cfg, "site: { name: " + site + ", domain: " + site + ".example }\n"
                + "data: " + dir.resolve(site) + "\n"
                + "sip: { listen: [ \"udp:127.0.0.1:" + GatewayFixture.freePort() + "\" ] }\n"
                + "admin: { listen: \"127.0.0.1:0\", https: off }\n"
                + "overlay: " + overlay + "\n");
        return cfg;
    }

    @Test
    void aSiteJoinsWithAnInvitationThatWorksOnce() throws Exception {
        int enroll = GatewayFixture.freePort();
        Path a = config("site-a", "{ sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", enroll: \"127.0.0.1:"
                + enroll + "\" }");
        Cli.Run init = Cli.peerline("federation", "init", "--overlay", "acme", "--config", a.toString());
        assertEquals(0, init.status(), init.err());
        assertEquals(1, Cli.peerline("federation", "init", "--config", a.toString()).status(), "one federation per box");
        Peerline boxA = Peerline.start(ConfigLoader.load(a), TimeSource.SYSTEM);
        running.add(boxA);
        boxA.overlay().joined().get(20, TimeUnit.SECONDS);

        Cli.Run invite = Cli.peerline("federation", "invite", "--site", "site-b", "--domain", "site-b.example", "--config",
                a.toString());
        assertEquals(0, invite.status(), invite.err());
        String token = invite.out().trim();
        assertTrue(token.startsWith("peerline-invite-1."), token);

        Path b = config("site-b", "{ sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\" }");
        Cli.Run join = Cli.peerline("federation", "join", token, "--config", b.toString());
        assertEquals(0, join.status(), join.err());
        Credentials credsB = Credentials.load(dir.resolve("site-b/overlay/node"));
        assertEquals(List.of("site-b.example"), credsB.domains(), "the certificate names what the invitation said");
        assertEquals("acme", credsB.overlayName());
        assertFalse(Files.exists(dir.resolve("site-b/overlay/ca")), "the CA stays on the first box");

        // B has no bootstrap configured: it joins through the inviting box it remembered at 'join'
        Peerline boxB = Peerline.start(ConfigLoader.load(b), TimeSource.SYSTEM);
        running.add(boxB);
        boxB.overlay().joined().get(30, TimeUnit.SECONDS);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!boxA.overlay().overlay().members().contains(credsB.nodeId())) {
            assertTrue(System.nanoTime() < end, "site A sees site B in the overlay");
            Thread.sleep(100);
        }

        Path c = config("site-c", "{ sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\" }");
        Cli.Run reused = Cli.peerline("federation", "join", token, "--config", c.toString());
        assertEquals(1, reused.status());
        assertTrue(reused.err().contains("used already"), reused.err());

        Cli.Run invite2 = Cli.peerline("federation", "invite", "--site", "site-c", "--domain", "site-c.example", "--config",
                a.toString());
        String body = invite2.out().trim().substring("peerline-invite-1.".length());
        String json = new String(java.util.Base64.getUrlDecoder().decode(body), StandardCharsets.UTF_8);
        String forged = "peerline-invite-1." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                json.replaceFirst("\"secret\":\"[^\"]+\"", "\"secret\":\"guessed\"").getBytes(StandardCharsets.UTF_8));
        Cli.Run forgedRun = Cli.peerline("federation", "join", forged, "--config", c.toString());
        assertEquals(1, forgedRun.status());
        assertTrue(forgedRun.err().contains("secret is wrong"), forgedRun.err());
        String wrongCa = "peerline-invite-1." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                json.replaceFirst("\"ca\":\"[0-9a-f]+\"", "\"ca\":\"" + "0".repeat(64) + "\"").getBytes(StandardCharsets.UTF_8));
        Cli.Run impostor = Cli.peerline("federation", "join", wrongCa, "--config", c.toString());
        assertEquals(1, impostor.status());
        assertTrue(impostor.err().contains("does not hold a certificate of the federation"), impostor.err());
        assertEquals(2, Cli.peerline("federation", "join", "hello", "--config", c.toString()).status());
        assertFalse(Files.exists(dir.resolve("site-c/overlay/node/node.crt")), "refused joins leave nothing behind");
    }
}
