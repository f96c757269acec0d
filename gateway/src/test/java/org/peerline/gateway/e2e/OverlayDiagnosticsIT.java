package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.Peerline;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.overlay.security.OverlayCa;

/**
 * Three daemons configured with {@code overlay:} sections form an overlay; {@code peerline overlay
 * status|routes|neighbours|records|trace|probe} read each one's view through its admin API.
 */
class OverlayDiagnosticsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final List<Peerline> boxes = new ArrayList<>();
    private final List<Path> configs = new ArrayList<>();

    @AfterEach
    void stop() {
        boxes.forEach(Peerline::close);
    }

    private JsonNode json(int box, String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("overlay"));
        args.addAll(List.of(command));
        args.addAll(List.of("--json", "--config", configs.get(box).toString()));
        Cli.Run r = Cli.peerline(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        return JSON.readTree(r.out());
    }

    private Path config(String name, String overlay) throws IOException {
        Path cfg = dir.resolve(name + ".yaml");
        int sip = GatewayFixture.freePort();
        Files.writeString(cfg, "site: { name: " + name + ", domain: " + name + ".example }\n"
                + "data: " + dir.resolve(name) + "\n"
                + "sip: { listen: [ \"udp:127.0.0.1:" + sip + "\" ] }\n"
                + "admin: { listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", https: off }\n"
                + (overlay == null ? "" : "overlay: " + overlay + "\n"));
        return cfg;
    }

    @Test
    void eachBoxShowsItsRingRecordsTracesAndProbes() throws Exception {
        OverlayCa ca = OverlayCa.generate("diag");
        int first = GatewayFixture.freePort();
        for (int i = 0; i < 3; i++) {
            String name = "site-" + (char) ('a' + i);
            ca.issue(name, List.of(name + ".example"), Duration.ofDays(1)).save(dir.resolve(name).resolve("overlay/node"));
            int port = i == 0 ? first : GatewayFixture.freePort();
            Path cfg = config(name, "{ sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:" + port + "\""
                    + (i == 0 ? "" : ", bootstrap: [ \"127.0.0.1:" + first + "\" ]") + " }");
            configs.add(cfg);
            boxes.add(Peerline.start(ConfigLoader.load(cfg), TimeSource.SYSTEM));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (boxes.stream().anyMatch(b -> b.overlay().overlay().members().size() < 3)) {
            assertTrue(System.nanoTime() < deadline, "three boxes did not see each other within 30 s");
            Thread.sleep(100);
        }

        JsonNode status = json(1, "status");
        assertEquals(boxes.get(1).overlay().overlay().nodeId().toString(), status.get("nodeId").asText());
        assertEquals("diag", status.get("overlay").asText());
        assertEquals("joined", status.get("state").asText());
        assertEquals(2, status.get("successors").asInt(), status.toString());
        Cli.Run table = Cli.peerline("overlay", "status", "--config", configs.get(1).toString());
        assertTrue(table.out().contains("diag (joined)"), table.out());

        JsonNode neighbours = json(0, "neighbours");
        List<String> others = List.of(boxes.get(1).overlay().overlay().nodeId().toString(),
                boxes.get(2).overlay().overlay().nodeId().toString());
        for (JsonNode n : neighbours.get("successors")) {
            assertTrue(others.contains(n.get("peer").asText()), neighbours.toString());
            assertTrue(n.get("address").asText().startsWith("127.0.0.1:"), "a linked neighbour: " + n);
        }
        assertTrue(json(0, "routes").size() >= 4, "predecessors, successors and fingers");

        String aor = "sip:alice@site-b.example";
        String uri = "sip:alice@127.0.0.1:5061;transport=tls";
        boxes.get(1).overlay().overlay().publish(aor, uri, Duration.ofMinutes(10)).get();

        // one responsible copy and two replicas, each showing the AOR, its signer and URI
        String responsible = null;
        int copies = 0;
        for (int i = 0; i < 3; i++) {
            for (JsonNode r : json(i, "records")) {
                if (r.get("name").asText().equals("relays")) {
                    // each box's relay offer (the relay is on by default), shown readably
                    assertTrue(r.get("value").asText().matches("relay of site site-[abc], which can be connected to.*"),
                            r.toString());
                    continue;
                }
                assertEquals("alice@site-b.example", r.get("name").asText());
                assertEquals(uri, r.get("value").asText());
                assertEquals(boxes.get(1).overlay().overlay().nodeId().toString(), r.get("key").asText());
                assertTrue(r.get("expiresInSeconds").asLong() > 500, r.toString());
                copies++;
                if (r.get("responsible").asBoolean()) {
                    responsible = boxes.get(i).overlay().overlay().nodeId().toString();
                }
            }
        }
        assertEquals(3, copies, "the responsible peer and two replicas");
        assertTrue(responsible != null, "one box is responsible for the AOR");

        for (int i = 0; i < 3; i++) {
            JsonNode trace = json(i, "trace", aor);
            assertTrue(trace.get("complete").asBoolean(), trace.toString());
            JsonNode hops = trace.get("hops");
            assertEquals(responsible, hops.get(hops.size() - 1).get("peer").asText(), "the last hop answers for the AOR");
        }
        Cli.Run traced = Cli.peerline("overlay", "trace", aor, "--config", configs.get(0).toString());
        assertTrue(traced.out().contains(responsible), traced.out());

        JsonNode probe = json(0, "probe", boxes.get(2).overlay().overlay().nodeId().toString());
        assertEquals(boxes.get(2).overlay().overlay().nodeId().toString(), probe.get("nodeId").asText());
        assertEquals(2, probe.get("resources").asInt(), "every box holds the one AOR and the relay offers (3 boxes, 3 copies)");
        assertTrue(probe.get("ringShare").asDouble() > 0 && probe.get("ringShare").asDouble() < 1, probe.toString());

        Cli.Run unknown = Cli.peerline("overlay", "probe", "00000000000000000000000000000001", "--config", configs.get(0).toString());
        assertEquals(1, unknown.status());
        assertTrue(unknown.err().contains("no node 00000000000000000000000000000001"), unknown.err());
        Cli.Run bad = Cli.peerline("overlay", "probe", "not-a-node", "--config", configs.get(0).toString());
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("not a Node-ID"), bad.err());

        // a graceful stop is seen by the others at once
        boxes.remove(2).close();
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (json(0, "status").get("members").asInt() != 2) {
            assertTrue(System.nanoTime() < deadline, "the stopped box is still a member of box 0's view");
            Thread.sleep(200);
        }
    }

    @Test
    void aBoxWithoutAnOverlayOrItsDaemonSaysSo() throws Exception {
        Path alone = config("alone", null);
        configs.add(alone);
        Cli.Run down = Cli.peerline("overlay", "status", "--config", alone.toString());
        assertEquals(1, down.status());
        assertTrue(down.err().contains("cannot reach the daemon's admin API"), down.err());

        boxes.add(Peerline.start(ConfigLoader.load(alone), TimeSource.SYSTEM));
        Cli.Run status = Cli.peerline("overlay", "status", "--config", alone.toString());
        assertEquals(1, status.status());
        assertTrue(status.err().contains("not in an overlay"), status.err());

        Path nocreds = config("nocreds", "{ sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\" }");
        IOException e = assertThrows(IOException.class, () -> Peerline.start(ConfigLoader.load(nocreds), TimeSource.SYSTEM));
        assertTrue(e.getMessage().contains("no overlay credentials in " + dir.resolve("nocreds/overlay/node")), e.getMessage());
    }
}
