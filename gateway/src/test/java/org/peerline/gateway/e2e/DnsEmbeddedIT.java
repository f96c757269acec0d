package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A box with {@code dns: { mode: embedded }} answers dig for its zone, from its own embedded server. */
@Timeout(60)
class DnsEmbeddedIT {
    @TempDir
    Path dir;

    private static List<String> dig(int port, String type, String name) throws Exception {
        Process p = new ProcessBuilder("dig", "@127.0.0.1", "-p", String.valueOf(port), "+short", "+time=1", "+tries=2",
                type, name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    @Test
    void theEmbeddedServerShowsTheBox() throws Exception {
        Tools.require("dig", "dnsutils");
        int dnsPort = GatewayFixture.freePort();
        try (GatewayFixture gw = GatewayFixture.start(dir, null, "relay: { enabled: false }\n"
                + "dns: { mode: embedded, zone: " + GatewayFixture.DOMAIN + ", listen: \"127.0.0.1:" + dnsPort + "\" }\n")) {
            String host = "site-a.box." + GatewayFixture.DOMAIN + ".";
            Wait.within(java.time.Duration.ofSeconds(10), "the zone is served", () -> {
                try {
                    return !dig(dnsPort, "A", host).isEmpty();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(List.of("127.0.0.1"), dig(dnsPort, "A", host));
            assertEquals(List.of("10 10 " + gw.sipPort + " " + host), dig(dnsPort, "SRV", "_sip._udp." + GatewayFixture.DOMAIN));
            assertEquals(List.of("10 10 " + gw.sipPort + " " + host), dig(dnsPort, "SRV", "_sip._tcp." + GatewayFixture.DOMAIN));
            assertEquals(List.of("20 10 \"s\" \"SIP+D2T\" \"\" _sip._tcp." + GatewayFixture.DOMAIN + ".",
                    "30 10 \"s\" \"SIP+D2U\" \"\" _sip._udp." + GatewayFixture.DOMAIN + "."),
                    dig(dnsPort, "NAPTR", GatewayFixture.DOMAIN), "no SIPS: a box alone has no federation port");
            assertEquals(List.of(), dig(dnsPort, "SRV", "_p2psip._tcp." + GatewayFixture.DOMAIN), "no overlay, no bootstrap");
        }
    }
}
