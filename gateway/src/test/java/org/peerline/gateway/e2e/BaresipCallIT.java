package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real softphones (baresip) register with digest auth and call each other through the gateway;
 * each sends a tone of its own (alice 440 Hz, bob 1000 Hz) and records what it hears, and the test
 * checks that each heard the other's tone: RTP arrived both ways (directly between the phones for now).
 */
@Timeout(120)
class BaresipCallIT {
    private static final int ALICE_HZ = 440;
    private static final int BOB_HZ = 1000;

    @TempDir
    Path dir;
    GatewayFixture gw;
    Baresip alice;
    Baresip bob;

    @BeforeEach
    void start() throws Exception {
        Tools.require("baresip", "baresip-core");
        gw = GatewayFixture.start(dir, null);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bob, gw}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void twoSoftphonesRegisterCallAndHearEachOther() throws Exception {
        call("udp");
    }

    /**
     * bob's phone uses TCP, alice's UDP: the INVITE leaves the box on another socket than it came in on,
     * so bob must see two Record-Routes (RFC 5658), the box's TCP socket on top, and the call must work
     * both ways, including bob's own in-dialog requests (his BYE follows the top route).
     */
    @Test
    void aUdpPhoneCallsATcpPhoneThroughTwoRecordRoutes() throws Exception {
        call("tcp");
        String invite = receivedInvite(bob.output());
        List<String> routes = invite.lines().filter(l -> l.regionMatches(true, 0, "Record-Route:", 0, 13))
                .flatMap(l -> java.util.regex.Pattern.compile("<sip:[^>]*>").matcher(l).results()
                        .map(java.util.regex.MatchResult::group))
                .toList();
        assertEquals(2, routes.size(), "Record-Route headers bob received:\n" + invite);
        assertTrue(routes.get(0).contains("transport=tcp") && routes.get(1).contains("transport=udp"),
                "expected the TCP socket on top, the UDP one below:\n" + routes);
        assertTrue(invite.lines().noneMatch(l -> l.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)),
                "the box forwarded alice's credentials to bob:\n" + invite);
    }

    /**
     * With a {@code relay:} section the media goes through the box: each phone's SDP points at the relay, the
     * relay counts packets from both, and after the call no port is left held.
     */
    @Test
    void twoSoftphonesTalkThroughTheBoxsRelay() throws Exception {
        gw.close();
        gw = GatewayFixture.start(java.nio.file.Files.createDirectories(dir.resolve("relayed")), null,
                "relay: { address: \"127.0.0.1\", ports: \"43000-43099\", idle-timeout: 30s }\n");
        org.peerline.relay.MediaRelay relay = gw.peerline.relay();
        long[] seen = new long[2];
        String[] api = new String[1];
        call("udp", () -> {
            var calls = relay.calls();
            assertEquals(1, calls.size(), "one relayed stream: audio");
            seen[0] = calls.get(0).a().stats().packets();
            seen[1] = calls.get(0).b().stats().packets();
            try {
                api[0] = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + gw.peerline.admin().address().getPort() + "/api/relay"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(api[0].contains("\"portsInUse\":4") && api[0].contains("\"caller\":{\"port\":430")
                && api[0].contains("\"jitterMillis\""), "the admin API shows the stream and its counters: " + api[0]);
        assertTrue(seen[0] > 100 && seen[1] > 100, "the relay forwarded both ways: from alice " + seen[0]
                + ", from bob " + seen[1]);
        assertTrue(alice.output().contains("127.0.0.1:4300") || alice.output().contains("m=audio 430"),
                "alice was told to send to the relay:\n" + alice.output());
        long end = System.currentTimeMillis() + 5000;
        while (relay.portsInUse() > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        assertEquals(0, relay.portsInUse(), "the BYE gave the relay's ports back");
    }

    private void call(String bobTransport) throws Exception {
        call(bobTransport, () -> { });
    }

    private void call(String bobTransport, Runnable duringCall) throws Exception {
        String domain = GatewayFixture.DOMAIN;
        bob = Baresip.start(dir, "bob", "bob-secret", domain, bobTransport, gw.sipPort, phonePort(), 41040, BOB_HZ);
        assertTrue(bob.awaitOutput("bob@" + domain + ": {0/" + bobTransport.toUpperCase(java.util.Locale.ROOT)
                + "/v4} 200 OK", 10_000), "bob did not register:\n" + bob.output());

        alice = Baresip.start(dir, "alice", "alice-secret", domain, gw.sipPort, phonePort(), 41000, ALICE_HZ,
                "/dial sip:bob@" + domain);
        assertTrue(alice.awaitOutput("Call established", 15_000), "the call was not established:\n" + alice.output());
        assertTrue(bob.awaitOutput("Call established", 5_000), "bob did not see the call:\n" + bob.output());

        long end = System.currentTimeMillis() + 15_000;
        while ((alice.heardSeconds() < 3 || bob.heardSeconds() < 3) && System.currentTimeMillis() < end) {
            Thread.sleep(200);
        }
        duringCall.run();
        assertTrue(bob.stop(10_000), "bob did not hang up and exit");
        assertTrue(alice.awaitOutput("terminated", 5_000) || alice.output().contains("closed"),
                "alice did not see bob's BYE:\n" + alice.output());
        assertTrue(alice.stop(10_000), "alice did not exit");

        Baresip.assertHeard(alice, BOB_HZ, ALICE_HZ);
        Baresip.assertHeard(bob, ALICE_HZ, BOB_HZ);
    }

    /** The first INVITE in a baresip SIP trace, up to the blank line ending its headers. */
    private static String receivedInvite(String trace) {
        int at = trace.indexOf("INVITE sip:bob");
        if (at < 0) {
            return "";
        }
        int end = trace.indexOf("\n\n", at);
        int crlf = trace.indexOf("\r\n\r\n", at);
        if (crlf >= 0 && (end < 0 || crlf < end)) {
            end = crlf;
        }
        return trace.substring(at, end < 0 ? trace.length() : end);
    }

    /** A port free for UDP and TCP whose successor is free too (baresip listens for TLS on port+1). */
    private static int phonePort() throws Exception {
        for (int i = 0; i < 20; i++) {
            int p = GatewayFixture.freePort();
            try (var s = new java.net.ServerSocket(p + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort() - 1;
            } catch (java.io.IOException e) {
                // taken; try another
            }
        }
        throw new java.io.IOException("no free pair of ports");
    }
}
