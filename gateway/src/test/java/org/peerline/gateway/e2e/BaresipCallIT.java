package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
        String domain = GatewayFixture.DOMAIN;
        bob = Baresip.start(dir, "bob", "bob-secret", domain, gw.sipPort, phonePort(), 41040, BOB_HZ);
        assertTrue(bob.awaitOutput("bob@" + domain + ": {0/UDP/v4} 200 OK", 10_000),
                "bob did not register:\n" + bob.output());

        alice = Baresip.start(dir, "alice", "alice-secret", domain, gw.sipPort, phonePort(), 41000, ALICE_HZ,
                "/dial sip:bob@" + domain);
        assertTrue(alice.awaitOutput("Call established", 15_000), "the call was not established:\n" + alice.output());
        assertTrue(bob.awaitOutput("Call established", 5_000), "bob did not see the call:\n" + bob.output());

        long end = System.currentTimeMillis() + 15_000;
        while ((alice.heardSeconds() < 3 || bob.heardSeconds() < 3) && System.currentTimeMillis() < end) {
            Thread.sleep(200);
        }
        assertTrue(alice.stop(10_000), "alice did not hang up and exit");
        assertTrue(bob.stop(10_000), "bob did not exit");

        assertHeard(alice, BOB_HZ, ALICE_HZ);
        assertHeard(bob, ALICE_HZ, BOB_HZ);
    }

    private static void assertHeard(Baresip phone, int expectHz, int ownHz) throws Exception {
        Path wav = phone.heard();
        assertNotNull(wav, phone.user + " recorded nothing:\n" + phone.output());
        short[] s = Tone.samples(wav);
        assertTrue(s.length >= 8000 * 2, phone.user + " heard only " + s.length / 8000.0 + " s of audio");
        // skip the first half second (jitter buffer start-up), measure the rest
        short[] steady = java.util.Arrays.copyOfRange(s, 4000, s.length);
        double other = Tone.share(steady, 8000, expectHz);
        double own = Tone.share(steady, 8000, ownHz);
        System.out.printf("%s heard %.1f s: share of %d Hz %.3f, of its own %d Hz %.3f%n", phone.user,
                s.length / 8000.0, expectHz, other, ownHz, own);
        assertTrue(other > 0.2 && own < 0.05, phone.user + " should hear " + expectHz + " Hz: share of " + expectHz
                + " Hz = " + other + ", of its own " + ownHz + " Hz = " + own);
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
