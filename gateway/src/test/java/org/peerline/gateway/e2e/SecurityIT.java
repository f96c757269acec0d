package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Brute-force blocking and per-source rate limits, over real UDP. */
@Timeout(60)
class SecurityIT {
    @TempDir
    Path dir;
    GatewayFixture gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void blocksASourceAfterRepeatedFailuresEvenForTheRightPassword() throws Exception {
        gw = GatewayFixture.start(dir, "  security: { auth-failures: 3, failure-window: 60s, block-time: 5m }\n");
        try (DigestClient c = new DigestClient(gw.sipPort)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", "guess" + i));
            }
            assertEquals(-1, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", "alice-secret"));
        }
    }

    @Test
    void dropsRequestsBeyondThePerSourceRate() throws Exception {
        gw = GatewayFixture.start(dir, "  security: { rate-limit: 1, rate-burst: 2 }\n");
        int answered = 0;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 20; i++) {
                String msg = "OPTIONS sip:127.0.0.1:" + gw.sipPort + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK-rl" + i + ";rport\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:p@127.0.0.1>;tag=r" + i + "\r\nTo: <sip:127.0.0.1>\r\n"
                        + "Call-ID: rl" + i + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
                byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), gw.sipPort));
            }
            s.setSoTimeout(1000);
            byte[] buf = new byte[4096];
            try {
                while (true) {
                    s.receive(new DatagramPacket(buf, buf.length));
                    answered++;
                }
            } catch (SocketTimeoutException e) {
                // no more answers
            }
        }
        // a burst of 1 + 2 tokens is answered, the rest of the 20 is dropped silently
        assertTrue(answered >= 3 && answered <= 4, "answered " + answered + " of 20");
    }
}
