package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.Peerline;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.overlay.security.OverlayCa;

/**
 * Boxes remember the peers they route through (DATA/overlay/peers), so that a restart does not depend on the
 * bootstrap box: the first box, restarted, rejoins the overlay the others kept running instead of starting a
 * second one, and a box whose bootstrap box is gone rejoins through a remembered peer.
 */
@Timeout(150)
class OverlayRestartIT {
    @TempDir
    Path dir;
    private final Map<String, Peerline> running = new HashMap<>();
    private final Map<String, Integer> overlayPort = new HashMap<>();

    @AfterEach
    void stop() {
        running.values().forEach(Peerline::close);
    }

    private Peerline start(String site, String bootstrapSite) throws Exception {
        Path cfg = dir.resolve(site + ".yaml");
        if (!Files.exists(cfg)) {
            Files.writeString(cfg, "site: { name: " + site + ", domain: " + site + ".example }\n"
                    + "data: " + dir.resolve(site) + "\n"
                    + "sip: { listen: [ \"udp:127.0.0.1:" + GatewayFixture.freePort() + "\" ] }\n"
                    + "admin: { listen: \"127.0.0.1:0\", https: off }\n"
                    + "overlay: { sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:" + overlayPort.get(site) + "\""
                    + (bootstrapSite == null ? "" : ", bootstrap: [ \"127.0.0.1:" + overlayPort.get(bootstrapSite) + "\" ]")
                    + " }\n");
        }
        Peerline p = Peerline.start(ConfigLoader.load(cfg), TimeSource.SYSTEM);
        running.put(site, p);
        p.overlay().joined().get(60, TimeUnit.SECONDS);
        return p;
    }

    private void stopBox(String site) {
        running.remove(site).close();
    }

    private boolean sees(String site, String other) {
        return running.get(site).overlay().overlay().members().contains(running.get(other).overlay().overlay().nodeId());
    }

    private List<String> remembered(String site) {
        try {
            return Files.readAllLines(dir.resolve(site).resolve("overlay/peers")).stream()
                    .filter(l -> !l.startsWith("#")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Test
    void restartedBoxesRejoinThroughRememberedPeers() throws Exception {
        OverlayCa ca = OverlayCa.generate("restart.test");
        for (String site : List.of("site-a", "site-b", "site-c")) {
            ca.issue(site, List.of(site + ".example"), Duration.ofDays(1)).save(dir.resolve(site).resolve("overlay/node"));
            overlayPort.put(site, GatewayFixture.freePort());
        }
        start("site-a", null);
        start("site-b", "site-a");
        start("site-c", "site-a");
        Wait.within(Duration.ofSeconds(20), "the three boxes see each other",
                () -> sees("site-a", "site-b") && sees("site-a", "site-c") && sees("site-b", "site-c"));
        Wait.within(Duration.ofSeconds(10), "site A remembers B and C",
                () -> remembered("site-a").containsAll(List.of("127.0.0.1:" + overlayPort.get("site-b"),
                        "127.0.0.1:" + overlayPort.get("site-c"))));
        Wait.within(Duration.ofSeconds(10), "site B remembers C",
                () -> remembered("site-b").contains("127.0.0.1:" + overlayPort.get("site-c")));

        // the first box restarts: with no bootstrap of its own, it must rejoin B and C, not start a second overlay
        stopBox("site-a");
        start("site-a", null);
        Wait.within(Duration.ofSeconds(20), "the restarted first box is back in the same overlay",
                () -> sees("site-b", "site-a") && sees("site-a", "site-c"));
        assertEquals("joined", running.get("site-a").overlay().state());

        // the bootstrap box goes away for good; B restarts and gets back in through C, which it remembers
        stopBox("site-a");
        stopBox("site-b");
        start("site-b", "site-a");
        Wait.within(Duration.ofSeconds(20), "B rejoined through the remembered C", () -> sees("site-b", "site-c")
                && sees("site-c", "site-b"));
    }
}
