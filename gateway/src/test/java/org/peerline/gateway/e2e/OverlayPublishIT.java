package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.Peerline;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.security.OverlayCa;
import org.peerline.provisioning.api.NewUser;

/**
 * Issue 4, flow 1: a phone registers at its site's box, and the overlay learns where its user is. The other
 * box finds the AOR pointing at the serving box; a restart republishes it from the restored bindings; an
 * unregister withdraws it.
 */
@Timeout(120)
class OverlayPublishIT {
    @TempDir
    Path dir;
    private final List<Peerline> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(Peerline::close);
    }

    private Path config(String site, int sip, int overlayPort, Integer bootstrap) throws Exception {
        Path cfg = dir.resolve(site + ".yaml");
        Files.writeString(cfg, "site: { name: " + site + ", domain: " + site + ".example }\n"
                + "data: " + dir.resolve(site) + "\n"
                + "sip: { listen: [ \"udp:127.0.0.1:" + sip + "\" ] }\n"
                + "admin: { listen: \"127.0.0.1:0\", https: off }\n"
                + "overlay: { sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:" + overlayPort + "\""
                + (bootstrap == null ? "" : ", bootstrap: [ \"127.0.0.1:" + bootstrap + "\" ]") + " }\n");
        return cfg;
    }

    private Peerline start(Path cfg) throws Exception {
        Peerline p = Peerline.start(ConfigLoader.load(cfg), TimeSource.SYSTEM);
        running.add(p);
        p.overlay().joined().get(30, java.util.concurrent.TimeUnit.SECONDS);
        return p;
    }

    private static List<Overlay.Registration> lookup(Peerline box, String aor) {
        try {
            return box.overlay().overlay().lookup(aor).get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            return List.of();
        }
    }

    private static long storedAt(Peerline box, String name) throws Exception {
        for (Overlay.HeldRecord r : box.overlay().overlay().records().get(10, java.util.concurrent.TimeUnit.SECONDS)) {
            if (r.name().equals(name)) {
                return r.storedAtMillis();
            }
        }
        return -1;
    }

    @Test
    void aRegistrationIsPublishedRepublishedAfterARestartAndWithdrawn() throws Exception {
        OverlayCa ca = OverlayCa.generate("publish.test");
        for (String site : List.of("site-a", "site-b")) {
            ca.issue(site, List.of(site + ".example"), Duration.ofDays(1)).save(dir.resolve(site).resolve("overlay/node"));
        }
        int overlayA = GatewayFixture.freePort();
        int sipB = GatewayFixture.freePort();
        Peerline a = start(config("site-a", GatewayFixture.freePort(), overlayA, null));
        Path cfgB = config("site-b", sipB, GatewayFixture.freePort(), overlayA);
        Peerline b = start(cfgB);
        b.provisioning().users().add(new NewUser("alice", "alice-secret", "2001", "Alice"));

        String aor = "sip:alice@site-b.example";
        String boxB = "sip:127.0.0.1:" + b.sip().federationPort() + ";transport=tls";
        DigestClient phone = new DigestClient(sipB, "site-b.example");
        assertEquals(200, phone.request("REGISTER", "sip:site-b.example", "alice", "alice-secret"));
        Wait.within(Duration.ofSeconds(10), "site A finds alice at site B's box", () -> lookup(a, aor).equals(
                List.of(new Overlay.Registration(b.overlay().overlay().nodeId(), boxB))));
        long first = storedAt(a, "alice@site-b.example");
        assertTrue(first > 0, "site A holds a copy of the record (two boxes: each holds everything)");

        b.close();
        running.remove(b);
        Thread.sleep(50); // a newer storage time after the restart
        Peerline b2 = start(cfgB);
        Wait.within(Duration.ofSeconds(15), "site B republishes alice from its restored bindings",
                () -> {
                    try {
                        return storedAt(a, "alice@site-b.example") > first;
                    } catch (Exception e) {
                        return false;
                    }
                });
        assertEquals(java.util.Set.of(aor), b2.publisher().published(), "what the restarted box keeps published");

        phone.expires = 0; // the same phone (same Contact) unregisters
        assertEquals(200, phone.request("REGISTER", "sip:site-b.example", "alice", "alice-secret"));
        phone.close();
        Wait.within(Duration.ofSeconds(10), "the unregistered AOR is withdrawn", () -> lookup(a, aor).isEmpty());
    }
}
