package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.Peerline;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.overlay.security.OverlayCa;
import org.peerline.provisioning.api.NewUser;

/**
 * Issue 4, flow 2 on loopback: two boxes of one federation, a phone at each. A call and a MESSAGE from site A
 * reach site B's user by AOR and by global extension, through the overlay lookup and the boxes' TLS link; a
 * box that is down fails its callers with 480 within 2 s.
 */
@Timeout(180)
class FederationCallIT {
    @TempDir
    Path dir;
    private final List<Peerline> running = new ArrayList<>();

    @BeforeAll
    static void tools() {
        Sipp.assumeInstalled();
    }

    @AfterEach
    void stop() {
        running.forEach(Peerline::close);
    }

    private Path config(String site, int sip, int tls, int overlayPort, Integer bootstrap) throws Exception {
        Path cfg = dir.resolve(site + ".yaml");
        Files.writeString(cfg, "site: { name: " + site + ", domain: " + site + ".example }\n"
                + "data: " + dir.resolve(site) + "\n"
                + "sip: { listen: [ \"udp:127.0.0.1:" + sip + "\" ] }\n"
                + "admin: { listen: \"127.0.0.1:0\", https: off }\n"
                + "overlay: { listen: \"127.0.0.1:" + overlayPort + "\", sip-listen: \"127.0.0.1:" + tls + "\""
                + (bootstrap == null ? "" : ", bootstrap: [ \"127.0.0.1:" + bootstrap + "\" ]") + " }\n");
        return cfg;
    }

    private Peerline start(Path cfg) throws Exception {
        Peerline p = Peerline.start(ConfigLoader.load(cfg), TimeSource.SYSTEM);
        running.add(p);
        p.overlay().joined().get(30, TimeUnit.SECONDS);
        return p;
    }

    private static void register(Path dir, String user, String password, String domain, int sipPort, int phonePort)
            throws Exception {
        Path inf = Sipp.credentials(dir, user + "-reg.csv", user, password);
        Sipp.Result r = Sipp.run(dir, "register-auth.xml", 30, "-inf", inf.toString(), "-key", "domain", domain,
                "-auth_uri", domain, "-i", "127.0.0.1", "-p", String.valueOf(phonePort), "-m", "1",
                "127.0.0.1:" + sipPort);
        assertEquals(0, r.exit(), "REGISTER " + user + " failed:\n" + r.output());
    }

    @Test
    void aPhoneAtSiteACallsAndMessagesSiteBByNameAndExtension() throws Exception {
        OverlayCa ca = OverlayCa.generate("calls.test");
        for (String site : List.of("site-a", "site-b")) {
            ca.issue(site, List.of(site + ".example"), Duration.ofDays(1)).save(dir.resolve(site).resolve("overlay/node"));
        }
        int overlayA = GatewayFixture.freePort();
        int sipA = GatewayFixture.freePort();
        int sipB = GatewayFixture.freePort();
        Peerline a = start(config("site-a", sipA, GatewayFixture.freePort(), overlayA, null));
        Path cfgB = config("site-b", sipB, GatewayFixture.freePort(), GatewayFixture.freePort(), overlayA);
        Peerline b = start(cfgB);
        a.provisioning().users().add(new NewUser("alice", "alice-secret", "1001", "Alice"));
        b.provisioning().users().add(new NewUser("bob", "bob-secret", "2002", "Bob"));

        int bobPhone = GatewayFixture.freePort();
        register(dir, "bob", "bob-secret", "site-b.example", sipB, bobPhone);
        Wait.within(Duration.ofSeconds(30), "site A finds bob and extension 2002 in the overlay", () -> {
            try {
                return !a.overlay().overlay().lookup("sip:bob@site-b.example").get(5, TimeUnit.SECONDS).isEmpty()
                        && !a.overlay().overlay().lookupExtension("2002").get(5, TimeUnit.SECONDS).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });

        Path inf = Sipp.credentials(dir, "alice.csv", "alice", "alice-secret");
        String[][] targets = {{"bob", "site-b.example"}, {"2002", "site-a.example"}};
        for (String[] t : targets) {
            try (Sipp.Running uas = Sipp.start(dir, "uas-call.xml", "-i", "127.0.0.1", "-p", String.valueOf(bobPhone),
                    "-t", "u1", "-m", "1")) {
                Sipp.Result uac = Sipp.run(dir, "uac-call.xml", 40, "-inf", inf.toString(), "-s", t[0],
                        "-key", "domain", t[1], "-auth_uri", t[0] + "@" + t[1], "-i", "127.0.0.1",
                        "-d", "200", "-m", "1", "127.0.0.1:" + sipA);
                assertEquals(0, uac.exit(), "call to " + t[0] + "@" + t[1] + " failed:\n" + uac.output());
                assertEquals(0, uas.await(20).exit(), "bob's side of the call to " + t[0]);
            }
        }
        try (Sipp.Running uas = Sipp.start(dir, "uas-message.xml", "-i", "127.0.0.1", "-p", String.valueOf(bobPhone),
                "-t", "u1", "-m", "1")) {
            Sipp.Result uac = Sipp.run(dir, "uac-message.xml", 30, "-inf", inf.toString(), "-s", "bob",
                    "-key", "domain", "site-b.example", "-auth_uri", "bob@site-b.example", "-i", "127.0.0.1", "-m", "1",
                    "127.0.0.1:" + sipA);
            assertEquals(0, uac.exit(), "MESSAGE to bob:\n" + uac.output());
            assertEquals(0, uas.await(20).exit(), "bob did not get the MESSAGE");
        }

        // site B goes down: its record stays in the overlay, and callers must hear so fast
        b.close();
        running.remove(b);
        try (DigestClient phone = new DigestClient(sipA, "site-a.example")) {
            long t0 = System.nanoTime();
            int code = phone.request("INVITE", "sip:bob@site-b.example", "alice", "alice-secret");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(480, code, "a call to a box that is down");
            assertTrue(ms < 2500, "answered in " + ms + " ms (challenge round trip included)");
            assertEquals(404, phone.request("INVITE", "sip:nobody@site-b.example", "alice", "alice-secret"),
                    "a user no box serves");
        }
    }

    /** A TLS client with {@code who}'s key and certificate (null: none), trusting {@code trust}; TLS 1.2 as boxes speak. */
    private static javax.net.ssl.SSLSocket tlsClient(org.peerline.overlay.security.Credentials who,
                                                     java.security.cert.X509Certificate trust, int port) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        if (who != null) {
            ks.setKeyEntry("me", who.key(), new char[0], new java.security.cert.Certificate[] {who.certificate(), who.ca()});
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", trust);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.2");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Asserts that a TLS client with {@code who}'s credentials gets no SIP answer from the socket at {@code port}. */
    private static void assertRefused(org.peerline.overlay.security.Credentials who, java.security.cert.X509Certificate trust,
                                      int port, String what) throws Exception {
        try (javax.net.ssl.SSLSocket s = tlsClient(who, trust, port)) {
            int code;
            try {
                s.startHandshake();
                code = request(s, "INVITE", "sip:bob@site-b.example");
            } catch (java.io.IOException refused) {
                code = -1;
            }
            assertTrue(code < 0, what + " got an answer " + code);
        }
    }

    /** Sends one request over {@code socket} and returns the first final status line's code, reading past 100. */
    private static int request(javax.net.ssl.SSLSocket socket, String method, String ruri) throws Exception {
        String msg = method + " " + ruri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-rogue" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:mallory@site-x.example>;tag=1\r\nTo: <" + ruri + ">\r\n"
                + "Call-ID: rogue-" + System.nanoTime() + "\r\nCSeq: 1 " + method + "\r\n"
                + "Contact: <sip:mallory@127.0.0.1:" + socket.getLocalPort() + ";transport=tls>\r\nContent-Length: 0\r\n\r\n";
        socket.getOutputStream().write(msg.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                java.nio.charset.StandardCharsets.US_ASCII));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("SIP/2.0 ") && !line.startsWith("SIP/2.0 100 ")) {
                return Integer.parseInt(line.substring(8, 11));
            }
        }
        return -1;
    }

    @Test
    void aBoxWithoutAFederationCertificateCannotJoinPublishOrCall() throws Exception {
        OverlayCa ca = OverlayCa.generate("calls.test");
        OverlayCa rogueCa = OverlayCa.generate("calls.test"); // same overlay name, another CA
        ca.issue("site-a", List.of("site-a.example"), Duration.ofDays(1)).save(dir.resolve("site-a").resolve("overlay/node"));
        ca.issue("site-b", List.of("site-b.example"), Duration.ofDays(1)).save(dir.resolve("site-b").resolve("overlay/node"));
        // the rogue box claims site B's domain, to steal bob's calls
        org.peerline.overlay.security.Credentials rogue = rogueCa.issue("site-x", List.of("site-b.example"), Duration.ofDays(1));
        rogue.save(dir.resolve("site-x").resolve("overlay/node"));
        org.peerline.overlay.security.Credentials member = ca.issue("site-c", List.of("site-c.example"), Duration.ofDays(1));

        int overlayA = GatewayFixture.freePort();
        int tlsB = GatewayFixture.freePort();
        Peerline a = start(config("site-a", GatewayFixture.freePort(), GatewayFixture.freePort(), overlayA, null));
        Peerline b = start(config("site-b", GatewayFixture.freePort(), tlsB, GatewayFixture.freePort(), overlayA));
        b.provisioning().users().add(new NewUser("bob", "bob-secret", "2002", "Bob"));
        Peerline x = Peerline.start(ConfigLoader.load(config("site-x", GatewayFixture.freePort(), GatewayFixture.freePort(),
                GatewayFixture.freePort(), overlayA)), TimeSource.SYSTEM);
        running.add(x);
        x.provisioning().users().add(new NewUser("bob", "stolen", "2002", "Not Bob"));

        Thread.sleep(3000);
        assertTrue(x.overlay().state().startsWith("joining"), "the rogue box is not in the overlay: " + x.overlay().state());
        assertTrue(!a.overlay().overlay().members().contains(x.overlay().overlay().nodeId()), "no member knows it");
        assertTrue(a.overlay().overlay().lookup("sip:bob@site-b.example").get(10, TimeUnit.SECONDS).isEmpty(),
                "nothing published for bob (the rogue box could not store, and bob is not registered)");

        // its TLS client certificate is from another CA: box B refuses the handshake, so no request gets in
        assertRefused(rogue, ca.certificate(), tlsB, "a box with a certificate from another CA");
        assertRefused(null, ca.certificate(), tlsB, "a client without a certificate");
        // a member of the federation is heard, for box B's own users only
        try (javax.net.ssl.SSLSocket s = tlsClient(member, ca.certificate(), tlsB)) {
            s.startHandshake();
            assertEquals(480, request(s, "INVITE", "sip:bob@site-b.example"), "bob has no phone registered");
            assertEquals(403, request(s, "INVITE", "sip:carol@site-c.example"), "box B relays nothing for other domains");
        }
    }

    @Test
    void twoSitesClaimingOneExtensionIsAVisibleConflictNotAGuess() throws Exception {
        OverlayCa ca = OverlayCa.generate("calls.test");
        for (String site : List.of("site-a", "site-b", "site-c")) {
            ca.issue(site, List.of(site + ".example"), Duration.ofDays(1)).save(dir.resolve(site).resolve("overlay/node"));
        }
        int overlayA = GatewayFixture.freePort();
        int sipA = GatewayFixture.freePort();
        Peerline a = start(config("site-a", sipA, GatewayFixture.freePort(), overlayA, null));
        Peerline b = start(config("site-b", GatewayFixture.freePort(), GatewayFixture.freePort(), GatewayFixture.freePort(),
                overlayA));
        Peerline c = start(config("site-c", GatewayFixture.freePort(), GatewayFixture.freePort(), GatewayFixture.freePort(),
                overlayA));
        a.provisioning().users().add(new NewUser("alice", "alice-secret", "1001", "Alice"));
        b.provisioning().users().add(new NewUser("bert", "bert-secret", "7777", "Bert"));
        c.provisioning().users().add(new NewUser("cleo", "cleo-secret", "7777", "Cleo"));
        Wait.within(Duration.ofSeconds(30), "both claims on 7777 are in the overlay", () -> {
            try {
                return a.overlay().overlay().lookupExtension("7777").get(5, TimeUnit.SECONDS).size() == 2;
            } catch (Exception e) {
                return false;
            }
        });
        try (DigestClient phone = new DigestClient(sipA, "site-a.example")) {
            assertEquals(485, phone.request("INVITE", "sip:7777@site-a.example", "alice", "alice-secret"),
                    "a call to an extension two sites claim");
            String answer = phone.last;
            assertTrue(answer.contains("sip:bert@site-b.example") && answer.contains("sip:cleo@site-c.example"),
                    "485 Ambiguous names both claimants as Contacts:\n" + answer);
        }
        var status = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + a.admin().address().getPort() + "/api/overlay/status")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(status.contains("\"extensionConflicts\":{\"7777\":[\"sip:bert@site-b.example\",\"sip:cleo@site-c.example\"]}"),
                "site A's status shows the conflict: " + status);
        assertTrue(status.contains("\"peers\":[{\"nodeId\""), "and the peers it has links to: " + status);
    }
}
