package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.provisioning.api.NewUser;

/** The registrar and proxy driven by SIPp and a raw digest client over real loopback sockets. */
@Timeout(90)
class GatewayIT {
    @TempDir
    Path dir;
    GatewayFixture gw;
    String remote;
    String domain = GatewayFixture.DOMAIN;

    @BeforeEach
    void start() throws Exception {
        Sipp.assumeInstalled();
        gw = GatewayFixture.start(dir, null);
        remote = "127.0.0.1:" + gw.sipPort;
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private String registrations() throws Exception {
        var admin = gw.peerline.admin().address();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + admin.getPort() + "/api/registrations")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Registers {@code user} from SIPp on {@code port} with digest auth; asserts SIPp saw 401 then 200. */
    private void register(String user, String password, int port) throws Exception {
        Path inf = Sipp.credentials(dir, user + ".csv", user, password);
        Sipp.Result r = Sipp.run(dir, "register-auth.xml", 30, "-inf", inf.toString(), "-key", "domain", domain,
                "-auth_uri", domain, "-i", "127.0.0.1", "-p", String.valueOf(port), "-m", "1", remote);
        assertEquals(0, r.exit(), "REGISTER " + user + " failed:\n" + r.output());
    }

    @Test
    void registersWithDigestAndTheBindingSurvivesARestart() throws Exception {
        int port = GatewayFixture.freePort();
        register("alice", "alice-secret", port);
        assertTrue(registrations().contains("sip:alice@127.0.0.1:" + port), registrations());
        gw.restart();
        assertTrue(registrations().contains("sip:alice@127.0.0.1:" + port), "after restart: " + registrations());
    }

    @Test
    void callsByNameAndByExtensionThroughTheProxy() throws Exception {
        for (String target : new String[] {"bob", "2002"}) {
            int uasPort = GatewayFixture.freePort();
            register("bob", "bob-secret", uasPort);
            try (Sipp.Running uas = Sipp.start(dir, "uas-call.xml", "-i", "127.0.0.1", "-p", String.valueOf(uasPort),
                    "-t", "u1", "-m", "1")) {
                Path inf = Sipp.credentials(dir, "alice.csv", "alice", "alice-secret");
                Sipp.Result uac = Sipp.run(dir, "uac-call.xml", 40, "-inf", inf.toString(), "-s", target,
                        "-key", "domain", domain, "-auth_uri", target + "@" + domain, "-i", "127.0.0.1",
                        "-d", "200", "-m", "1", remote);
                assertEquals(0, uac.exit(), "call to " + target + " failed:\n" + uac.output());
                Sipp.Result callee = uas.await(20);
                assertEquals(0, callee.exit(), "callee side of call to " + target + ":\n" + callee.output());
            }
        }
    }

    @Test
    void cancelsARingingCall() throws Exception {
        int uasPort = GatewayFixture.freePort();
        register("bob", "bob-secret", uasPort);
        try (Sipp.Running uas = Sipp.start(dir, "uas-cancel.xml", "-i", "127.0.0.1", "-p", String.valueOf(uasPort),
                "-t", "u1", "-m", "1")) {
            Path inf = Sipp.credentials(dir, "alice.csv", "alice", "alice-secret");
            Sipp.Result uac = Sipp.run(dir, "uac-cancel.xml", 40, "-inf", inf.toString(), "-s", "bob",
                    "-key", "domain", domain, "-auth_uri", "bob@" + domain, "-i", "127.0.0.1", "-m", "1", remote);
            assertEquals(0, uac.exit(), "caller:\n" + uac.output());
            assertEquals(0, uas.await(20).exit(), "callee did not see CANCEL and ACK");
        }
    }

    @Test
    void givesUpOnACallThatRingsPastTimerC() throws Exception {
        gw.close();
        gw = GatewayFixture.start(java.nio.file.Files.createDirectories(dir.resolve("timer-c")), "  timer-c: 3s\n");
        remote = "127.0.0.1:" + gw.sipPort;
        int uasPort = GatewayFixture.freePort();
        register("bob", "bob-secret", uasPort);
        try (Sipp.Running uas = Sipp.start(dir, "uas-cancel.xml", "-i", "127.0.0.1", "-p", String.valueOf(uasPort),
                "-t", "u1", "-m", "1")) {
            Path inf = Sipp.credentials(dir, "alice.csv", "alice", "alice-secret");
            Sipp.Result uac = Sipp.run(dir, "uac-ring-timeout.xml", 40, "-inf", inf.toString(), "-s", "bob",
                    "-key", "domain", domain, "-auth_uri", "bob@" + domain, "-i", "127.0.0.1", "-m", "1", remote);
            assertEquals(0, uac.exit(), "caller did not get 408:\n" + uac.output());
            // only Timer C makes the box cancel the callee by itself: the caller sent no CANCEL
            assertEquals(0, uas.await(20).exit(), "callee was not cancelled (CANCEL, 487, ACK)");
        }
    }

    @Test
    void relaysAnAuthenticatedMessage() throws Exception {
        int uasPort = GatewayFixture.freePort();
        register("bob", "bob-secret", uasPort);
        try (Sipp.Running uas = Sipp.start(dir, "uas-message.xml", "-i", "127.0.0.1", "-p", String.valueOf(uasPort),
                "-t", "u1", "-m", "1")) {
            Path inf = Sipp.credentials(dir, "alice.csv", "alice", "alice-secret");
            Sipp.Result uac = Sipp.run(dir, "uac-message.xml", 30, "-inf", inf.toString(), "-s", "bob",
                    "-key", "domain", domain, "-auth_uri", "bob@" + domain, "-i", "127.0.0.1", "-m", "1", remote);
            assertEquals(0, uac.exit(), "sender:\n" + uac.output());
            assertEquals(0, uas.await(20).exit(), "receiver did not get the MESSAGE body");
        }
    }

    @Test
    void answers404ForUnknown480ForUnregisteredAnd403ForForeignDomains() throws Exception {
        try (DigestClient c = new DigestClient(gw.sipPort)) {
            assertEquals(404, c.request("MESSAGE", "sip:nobody@" + domain, "alice", "alice-secret"));
            assertEquals(480, c.request("MESSAGE", "sip:bob@" + domain, "alice", "alice-secret"));
            assertEquals(403, c.request("MESSAGE", "sip:someone@elsewhere.example", "mallory", null));
            assertEquals(403, c.request("REGISTER", "sip:elsewhere.example", "mallory", null));
        }
    }

    @Test
    void unknownUsersAndWrongPasswordsGetTheSameAnswer() throws Exception {
        try (DigestClient c = new DigestClient(gw.sipPort)) {
            assertEquals(401, c.request("REGISTER", "sip:" + domain, "alice", "wrong"));
            String known = c.last.replaceAll("nonce=\"[^\"]+\"", "").replaceAll("(?m)^(Call-ID|CSeq|From|To|Via):.*$", "");
            assertEquals(401, c.request("REGISTER", "sip:" + domain, "nosuchuser", "whatever"));
            String unknown = c.last.replaceAll("nonce=\"[^\"]+\"", "").replaceAll("(?m)^(Call-ID|CSeq|From|To|Via):.*$", "");
            assertEquals(known, unknown);
            assertEquals(200, c.request("REGISTER", "sip:" + domain, "alice", "alice-secret"));
        }
    }

    @Test
    void aRetransmittedRegisterIsAnsweredLikeTheOriginalButAReplayIsNot() throws Exception {
        try (DigestClient c = new DigestClient(gw.sipPort)) {
            assertEquals(200, c.request("REGISTER", "sip:" + domain, "alice", "alice-secret"));
            // the phone's 200 was lost: it retransmits the same request (same branch, nonce-count, CSeq)
            assertEquals(200, c.retransmitLast(), c.last);
            assertTrue(c.last.contains("Contact: <sip:alice@127.0.0.1:"), c.last);
            // the same credentials in a new transaction are a replay: challenged again, stale
            assertEquals(401, c.replayLastAsNewRequest(), c.last);
            assertTrue(c.last.toLowerCase(java.util.Locale.ROOT).contains("stale=true"), c.last);
        }
    }

    @Test
    void userAddedWhileRunningCanRegisterAtOnce() throws Exception {
        try (var other = org.peerline.provisioning.api.Provisioning.open(gw.data, domain);
             DigestClient c = new DigestClient(gw.sipPort)) {
            other.users().add(new NewUser("carol", "carol-secret", "2003", null));
            assertEquals(200, c.request("REGISTER", "sip:" + domain, "carol", "carol-secret"));
        }
    }
}
