package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.overlay.security.OverlayCa;

/**
 * Issue 5's lab: three sites whose phones sit on private LANs behind NAT routers (nftables masquerade), joined
 * by a "WAN" bridge, each with a box that relays its phones' media:
 * <ul>
 *   <li>site A's box is the router itself: a LAN side (192.168.1.1) and a public WAN address (10.78.0.1);
 *   <li>site B's box sits on its LAN (192.168.2.2) behind a router (10.78.0.2) that forwards the box's ports:
 *       overlay, SIP over TLS and the relay's UDP range;
 *   <li>site C's box sits on its LAN (192.168.3.2) behind a router (10.78.0.3) that forwards nothing;
 *   <li>and so does site D's (192.168.4.2 behind 10.78.0.4).
 * </ul>
 * Baresip softphones (each a tone of its own) call across sites; each hears the other's tone, both boxes' relays
 * count packets both ways and say why the media takes the path it does, and after the hang-up every relay port
 * is free again. A call is held and resumed mid-way and the audio comes back both ways.
 *
 * <p>Nothing reaches site C's box from the WAN: it publishes its users as reachable through the overlay
 * ({@code overlay.reachable: false}, RFC 7904 route registrations), and a box that calls them asks it by
 * AppAttach to connect out. Sites C and D cannot reach each other at all: their calls' SIP goes through a third
 * box (A or B, chosen by cost from the relay offers in the overlay), whose relay is also a candidate of the ICE
 * that the two boxes' relays run: through port-preserving NATs ICE finds the direct path, and when site D's NAT
 * randomises its ports it falls back on the third box's relay.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayLabIT {
    private static final String WAN = "pl5wan";
    private static final List<String> SITES = List.of("a", "b", "c", "d");
    /** Per site: the softphone's user and the frequency of its tone. */
    private static final Map<String, String> USER = Map.of("a", "ann", "b", "ben", "c", "cy", "d", "dee");
    private static final Map<String, Integer> TONE = Map.of("a", 440, "b", 1000, "c", 700, "d", 1400);
    private static final int PHONE_SIP_PORT = 5080;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static LabBoxes boxes;
    private static int calls;

    private static int n(String site) {
        return SITES.indexOf(site) + 1;
    }

    private static String router(String site) {
        return "pl5" + site;
    }

    /** The box's namespace: site A's box is its router. */
    private static String boxNs(String site) {
        return site.equals("a") ? router(site) : "pl5" + site + "-box";
    }

    private static String phoneNs(String site) {
        return "pl5" + site + "-ph";
    }

    private static String wanIp(String site) {
        return "10.78.0." + n(site);
    }

    private static String lan(String site, int host) {
        return "192.168." + n(site) + "." + host;
    }

    /** The box's address on its LAN: where its phones register and send media. */
    private static String boxLanIp(String site) {
        return lan(site, site.equals("a") ? 1 : 2);
    }

    private static String domain(String site) {
        return "site-" + site + ".example";
    }

    @BeforeAll
    static void lab() throws Exception {
        Tools.require("ip", "iproute2");
        Tools.require("nft", "nftables");
        Tools.require("curl", "curl");
        Tools.require("baresip", "baresip-core");
        Netns.requireRoot("the relay lab");
        assertTrue(Files.exists(Path.of("target", "peerline.jar")), "the daemon's jar (built by mvn package)");
        teardown();
        boxes = new LabBoxes(dir);
        Netns.sh("ip", "netns", "add", WAN);
        Netns.sh("ip", "-n", WAN, "link", "add", "br0", "type", "bridge");
        Netns.sh("ip", "-n", WAN, "link", "set", "br0", "up");
        OverlayCa ca = OverlayCa.generate("lab.test");
        for (String s : SITES) {
            network(s);
            Path data = dir.resolve(s);
            ca.issue("site-" + s, List.of(domain(s)), Duration.ofDays(1)).save(data.resolve("overlay/node"));
            Files.writeString(boxes.config(s), config(s, data));
            Cli.Run add = Cli.peerline("user", "add", USER.get(s), "--password", "sound-check", "--config",
                    boxes.config(s).toString());
            assertEquals(0, add.status(), add.err());
        }
        for (String s : SITES) {
            boxes.start(s, boxNs(s));
            boxes.awaitLog(s, "overlay: joined through|overlay: started a new overlay", Duration.ofSeconds(60));
        }
    }

    /**
     * The site's router (WAN 10.78.0.N, LAN bridge 192.168.N.1, masquerade towards the WAN), its phone's namespace
     * (192.168.N.10) and, at sites B and C, the box's (192.168.N.2); site B's router forwards the box's ports.
     */
    private static void network(String s) throws Exception {
        String r = router(s);
        Netns.sh("ip", "netns", "add", r);
        Netns.sh("ip", "-n", r, "link", "set", "lo", "up");
        Netns.sh("ip", "link", "add", "eth0", "netns", r, "type", "veth", "peer", "name", "to-" + s, "netns", WAN);
        Netns.sh("ip", "-n", r, "addr", "add", wanIp(s) + "/24", "dev", "eth0");
        Netns.sh("ip", "-n", r, "link", "set", "eth0", "up");
        Netns.sh("ip", "-n", WAN, "link", "set", "to-" + s, "master", "br0", "up");
        Netns.sh("ip", "-n", r, "link", "add", "lan", "type", "bridge");
        Netns.sh("ip", "-n", r, "addr", "add", lan(s, 1) + "/24", "dev", "lan");
        Netns.sh("ip", "-n", r, "link", "set", "lan", "up");
        Netns.in(r, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        host(s, phoneNs(s), "ph", lan(s, 10));
        if (!s.equals("a")) {
            host(s, boxNs(s), "box", lan(s, 2));
        }
        String forward = !s.equals("b") ? "" : "    iifname \"eth0\" tcp dport { 5061, 6084 } dnat to " + lan(s, 2) + "\n"
                + "    iifname \"eth0\" udp dport 30000-30999 dnat to " + lan(s, 2) + "\n";
        Path rules = dir.resolve("nat-" + s + ".nft");
        Files.writeString(rules, "table ip nat {\n"
                + "  chain prerouting {\n    type nat hook prerouting priority dstnat;\n" + forward + "  }\n"
                + "  chain postrouting {\n    type nat hook postrouting priority srcnat;\n"
                + "    oifname \"eth0\" masquerade\n  }\n}\n" + (s.equals("a") ? "" : FIREWALL));
        Netns.in(r, "nft", "-f", rules.toString());
    }

    /**
     * A home router's firewall: what arrives from the WAN for the router itself and belongs to no connection is
     * dropped. (Without it, Linux answers such a packet, say a box's first ICE check, with an ICMP error and
     * keeps its connection-tracking entry, which then makes the router give the box's own reply a different
     * port: hole punching fails, and ICE falls back on the third box's relay.)
     */
    private static final String FIREWALL = "table ip filter {\n  chain input {\n"
            + "    type filter hook input priority filter;\n    iifname \"eth0\" ct state new drop\n  }\n}\n";

    /** A namespace on the site's LAN bridge at {@code ip}, routed through the router. */
    private static void host(String s, String ns, String port, String ip) throws Exception {
        Netns.sh("ip", "netns", "add", ns);
        Netns.sh("ip", "-n", ns, "link", "set", "lo", "up");
        Netns.sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port, "netns", router(s));
        Netns.sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
        Netns.sh("ip", "-n", ns, "link", "set", "eth0", "up");
        Netns.sh("ip", "-n", ns, "route", "add", "default", "via", lan(s, 1));
        Netns.sh("ip", "-n", router(s), "link", "set", port, "master", "lan", "up");
    }

    private static String config(String s, Path data) {
        String lanIp = boxLanIp(s);
        StringBuilder c = new StringBuilder();
        c.append("site: { name: site-").append(s).append(", domain: ").append(domain(s)).append(" }\n");
        c.append("data: ").append(data).append('\n');
        c.append("sip: { listen: [ \"udp:").append(lanIp).append(":5060\" ] }\n");
        c.append("admin: { listen: \"127.0.0.1:8080\" }\n");
        switch (s) {
            case "a" -> {
                c.append("overlay: { listen: \"").append(wanIp(s)).append(":6084\" }\n");
                c.append("relay: { address: \"").append(lanIp).append("\", wan-address: \"").append(wanIp(s))
                        .append("\", ports: \"30000-30999\" }\n");
            }
            case "b" -> {
                c.append("overlay: { listen: \"").append(lanIp).append(":6084\", advertise: \"").append(wanIp(s))
                        .append(":6084\", sip-listen: \"").append(lanIp).append(":5061\", sip-uri: \"sip:")
                        .append(wanIp(s)).append(":5061;transport=tls\", bootstrap: [ \"10.78.0.1:6084\" ] }\n");
                c.append("relay: { address: \"").append(lanIp).append("\", wan-address: \"").append(wanIp(s))
                        .append("\", ports: \"30000-30999\" }\n");
            }
            default -> { // c and d: behind NAT without port forwarding
                c.append("overlay: { listen: \"").append(lanIp).append(":6084\", reachable: false,"
                        + " bootstrap: [ \"10.78.0.1:6084\" ] }\n");
                c.append("relay: { address: \"").append(lanIp).append("\", ports: \"30000-30999\" }\n");
            }
        }
        return c.toString();
    }

    @AfterAll
    static void teardown() throws Exception {
        if (boxes != null) {
            boxes.stopAll("relay-lab");
        }
        for (String s : SITES) {
            Netns.run("ip", "netns", "del", phoneNs(s));
            Netns.run("ip", "netns", "del", boxNs(s));
            Netns.run("ip", "netns", "del", router(s));
        }
        Netns.run("ip", "netns", "del", WAN);
    }

    /** The site's softphone, registered at its box, sending its tone; {@code commands} run at start. */
    private static Baresip phone(String s, Path home, String... commands) throws Exception {
        Baresip p = Baresip.startIn(phoneNs(s), lan(s, 10), home, USER.get(s), "sound-check", domain(s), "udp",
                boxLanIp(s), 5060, PHONE_SIP_PORT, 41000, TONE.get(s), commands);
        return p;
    }

    /** What the box's admin API says of its relay now. */
    private static JsonNode relay(String s) throws Exception {
        return api(s, "/api/relay");
    }

    /** A GET on the box's admin API (inside its namespace). */
    private static JsonNode api(String s, String path) throws Exception {
        return JSON.readTree(Netns.output(boxNs(s), "curl", "-sS", "http://127.0.0.1:8080" + path));
    }

    /** Sum of the packets that arrived on each side of the box's relayed streams: [from caller side, from callee side]. */
    private static long[] packets(JsonNode relay) {
        long[] n = new long[2];
        for (JsonNode st : relay.get("streams")) {
            n[0] += st.get("caller").get("packets").asLong();
            n[1] += st.get("callee").get("packets").asLong();
        }
        return n;
    }

    /**
     * A call from {@code from}'s phone to {@code to}'s user: established, both hear the other's tone, both boxes
     * relay both ways and record why, and once hung up no relay port is held. {@code midCall} runs while it lasts.
     */
    private static void call(String from, String to, MidCall midCall) throws Exception {
        Path home = Files.createDirectories(dir.resolve(from + "-to-" + to + "-" + ++calls)); // fresh recordings
        String target = USER.get(to) + "@" + domain(to);
        try (Baresip callee = phone(to, home)) {
            assertTrue(callee.awaitOutput(target + ": {0/UDP/v4} 200 OK", 15_000), USER.get(to)
                    + " did not register:\n" + callee.output());
            Thread.sleep(1000); // the registration reaches the overlay
            try (Baresip caller = phone(from, home, "/dial sip:" + target)) {
                assertTrue(caller.awaitOutput("Call established", 20_000), from + " -> " + to + " not established:\n"
                        + caller.output() + "\nbox " + from + ":\n" + boxes.tail(from, 30) + "\nbox " + to + ":\n"
                        + boxes.tail(to, 30));
                assertTrue(callee.awaitOutput("Call established", 5_000), "the callee did not see the call:\n"
                        + callee.output() + "\nbox " + from + ":\n" + boxes.tail(from, 30) + "\nbox " + to + ":\n"
                        + boxes.tail(to, 30));
                long end = System.currentTimeMillis() + 15_000;
                while ((caller.heardSeconds() < 3 || callee.heardSeconds() < 3) && System.currentTimeMillis() < end) {
                    Thread.sleep(200);
                }
                for (String s : List.of(from, to)) {
                    JsonNode r = relay(s);
                    long[] p = packets(r);
                    assertTrue(p[0] > 100 && p[1] > 100, "box " + s + "'s relay forwarded both ways (" + p[0] + " from the"
                            + " caller's side, " + p[1] + " from the callee's): " + r.toPrettyString());
                    JsonNode record = r.get("calls").get(0);
                    assertTrue(record.get("path").asText().contains("relay of the"), "box " + s + " says the media goes"
                            + " through the other box's relay: " + record.toPrettyString());
                    assertTrue(record.get("why").asText().startsWith("cross-site"), record.toPrettyString());
                    // the two relays found their path with ICE: the box's WAN leg has a pair nominated
                    assertTrue(record.get("why").asText().contains("): connected: "), "box " + s + "'s relay did ICE"
                            + " with the other box: " + record.toPrettyString());
                }
                midCall.run(caller, callee);
                assertTrue(caller.stop(10_000), "the caller did not hang up and exit");
                assertTrue(callee.awaitOutput("terminated", 5_000) || callee.output().contains("closed"),
                        "the callee did not see the BYE:\n" + callee.output());
                assertTrue(callee.stop(10_000), "the callee did not exit");
                Baresip.assertHeard(caller, TONE.get(to), TONE.get(from));
                Baresip.assertHeard(callee, TONE.get(from), TONE.get(to));
            }
        }
        for (String s : SITES) { // the two boxes, and a third one that relayed
            Wait.within(Duration.ofSeconds(5), "box " + s + " frees its relay ports after the BYE", () -> {
                try {
                    return relay(s).get("portsInUse").asInt() == 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        for (String s : SITES) { // the relays took every packet of the other relays and phones: none from a stranger
            String log = Files.readString(boxes.log(s));
            assertTrue(!log.contains("dropped for coming from another IP"), "box " + s + " rejected media of its own"
                    + " call:\n" + boxes.tail(s, 20));
        }
    }

    private interface MidCall {
        void run(Baresip caller, Baresip callee) throws Exception;
    }

    @Test
    @Order(1)
    void publicAndPortForwardedBoxesRelayEachOthersCalls() throws Exception {
        call("a", "b", (caller, callee) -> { });
        call("b", "a", (caller, callee) -> { });
    }

    @Test
    @Order(2)
    void aBoxBehindNatWithoutForwardingIsCalledThroughTheOverlay() throws Exception {
        // nothing reaches site C's box from the WAN: asked through the overlay (AppAttach), it connects out to
        // the calling box, and the call comes in over that connection
        call("a", "c", (caller, callee) -> { });
        call("b", "c", (caller, callee) -> { });
        String log = Files.readString(boxes.log("c"));
        for (String box : List.of("10.78.0.1:5061", "10.78.0.2:5061")) {
            assertTrue(log.matches("(?s).*asks this box to connect to it at \\[" + java.util.regex.Pattern.quote(box)
                    + "\\].*"), "site C's box was asked through the overlay to connect to " + box + ":\n"
                    + boxes.tail("c", 40));
        }
    }

    @Test
    @Order(3)
    void aBoxBehindNatWithoutForwardingCallsOut() throws Exception {
        call("c", "a", (caller, callee) -> { });
        call("c", "b", (caller, callee) -> { });
    }

    @Test
    @Order(4)
    void twoBoxesThatCannotReachEachOtherTalkThroughAThirdBoxsRelay() throws Exception {
        // boxes C and D are clients of the overlay (nobody can connect to them); every box offers its relay
        for (String s : List.of("c", "d")) {
            JsonNode status = api(s, "/api/overlay/status");
            assertTrue(status.get("role").asText().startsWith("client of"), "box " + s + ": " + status.toPrettyString());
        }
        Wait.within(Duration.ofSeconds(30), "box C sees the relay offers of A and B (usable), of D (cannot be"
                + " connected to) and its own", () -> {
            try {
                JsonNode offers = api("c", "/api/overlay/relays").get("offers");
                int usable = 0;
                int unreachable = 0;
                for (JsonNode o : offers) {
                    usable += o.get("excluded").isNull() ? 1 : 0;
                    unreachable += "cannot be connected to".equals(o.get("excluded").asText()) ? 1 : 0;
                }
                return offers.size() == 4 && usable == 2 && unreachable == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (String[] pair : new String[][] {{"c", "d"}, {"d", "c"}}) {
            String[] relayBox = new String[1];
            call(pair[0], pair[1], (caller, callee) -> {
                relayBox[0] = relayBox(pair);
                // both NATs keep a socket's mapping whoever it sends to: ICE punches through them, and once the
                // pair is nominated the media goes box to box and no longer through the third box
                String ice = iceOf(pair[0]);
                assertTrue(ice.contains("(srflx)") || ice.contains("(prflx)"), "the boxes found a direct path: " + ice);
                long[] before = packets(relay(relayBox[0]));
                Thread.sleep(2000);
                long[] after = packets(relay(relayBox[0]));
                assertTrue(after[0] - before[0] < 20 && after[1] - before[1] < 20, "the media left the third box "
                        + relayBox[0] + " (+" + (after[0] - before[0]) + "/+" + (after[1] - before[1]) + " packets in 2 s)");
                System.out.printf("relay lab: %s -> %s signalled through site %s's box, media direct: %s%n", pair[0],
                        pair[1], relayBox[0], ice);
            });
        }
    }

    /** The third box (A or B) that carries the call between {@code pair}, as the caller's box chose it. */
    private static String relayBox(String[] pair) throws Exception {
        String found = null;
        for (String s : List.of("a", "b")) {
            JsonNode calls = relay(s).get("calls");
            if (calls.size() > 0) {
                found = s;
                assertTrue(calls.get(0).get("why").asText().startsWith("third-box relay"), calls.toPrettyString());
            }
        }
        assertTrue(found != null, "a third box (A or B) carries the call " + pair[0] + " -> " + pair[1]);
        JsonNode record = relay(pair[0]).get("calls").get(0);
        assertTrue(record.get("why").asText().contains("chosen by cost"), "the caller's box says which relay box"
                + " it chose and why: " + record.toPrettyString());
        return found;
    }

    /** The ICE status of box {@code s}'s first relayed call, from its record. */
    private static String iceOf(String s) throws Exception {
        String why = relay(s).get("calls").get(0).get("why").asText();
        int at = why.indexOf("ICE with the");
        assertTrue(at >= 0, "box " + s + " did ICE: " + why);
        return why.substring(at);
    }

    /**
     * Site D's router becomes a NAT that gives every new flow a random port ({@code masquerade fully-random}, as
     * symmetric NATs do): what box D's socket showed the STUN server is not what box C sees, and C's router
     * drops what D sends. No direct pair works; the pair through the third box's relay does, and ICE falls back
     * on it.
     */
    @Test
    @Order(5)
    void whenTheNatsDefeatIceTheThirdBoxCarriesTheMedia() throws Exception {
        Path rules = dir.resolve("nat-d-random.nft");
        Files.writeString(rules, "flush ruleset\ntable ip nat {\n  chain postrouting {\n"
                + "    type nat hook postrouting priority srcnat;\n    oifname \"eth0\" masquerade fully-random\n  }\n}\n"
                + FIREWALL);
        Netns.in(router("d"), "nft", "-f", rules.toString());
        try {
            String[] pair = {"c", "d"};
            call("c", "d", (caller, callee) -> {
                String relayBox = relayBox(pair);
                String ice = iceOf("c");
                assertTrue(ice.contains("(relay)"), "ICE chose the third box's relay: " + ice);
                long[] before = packets(relay(relayBox));
                Thread.sleep(2000);
                long[] after = packets(relay(relayBox));
                assertTrue(after[0] - before[0] > 50 && after[1] - before[1] > 50, "the third box " + relayBox
                        + " relays the media both ways: " + relay(relayBox).toPrettyString());
                System.out.printf("relay lab: c -> d behind a randomising NAT, media through site %s's box: %s%n",
                        relayBox, ice);
            });
        } finally {
            Netns.in(router("d"), "nft", "flush", "ruleset");
            Netns.in(router("d"), "nft", "-f", dir.resolve("nat-d.nft").toString());
        }
    }

    @Test
    @Order(6)
    void holdAndResumeMidCallKeepTheAudioFlowing() throws Exception {
        call("a", "b", (caller, callee) -> {
            caller.command("/hold");
            assertTrue(callee.awaitOutput("a=sendonly", 5_000), "the hold's re-INVITE"
                    + " reached the callee:\n" + callee.output());
            Thread.sleep(1000);
            long[] held = packets(relay("a"));
            Thread.sleep(2000);
            long[] stillHeld = packets(relay("a"));
            caller.command("/resume");
            Thread.sleep(1000);
            long[] resumed = packets(relay("a"));
            Thread.sleep(3000);
            long[] after = packets(relay("a"));
            System.out.printf("relay lab hold: packets from caller/callee side while held +%d/+%d in 2 s, after resume"
                    + " +%d/+%d in 3 s%n", stillHeld[0] - held[0], stillHeld[1] - held[1], after[0] - resumed[0],
                    after[1] - resumed[1]);
            assertTrue(stillHeld[1] - held[1] < 10, "while held, the callee (who answered recvonly) sends nothing through"
                    + " box A's relay: +" + (stillHeld[1] - held[1]) + " packets in 2 s");
            assertTrue(after[0] - resumed[0] > 100 && after[1] - resumed[1] > 100, "after resume, box A's relay"
                    + " forwards both ways again:\n" + relay("a").toPrettyString() + "\n" + boxes.tail("a", 30));
        });
    }

    @Test
    @Order(7)
    void aBoxBehindNatThatCrashedIsCalledAgainAfterItsRestart() throws Exception {
        Process c = boxes.process("c");
        Netns.sh("kill", "-KILL", String.valueOf(c.pid()));
        assertTrue(c.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "box C is gone");
        long t0 = System.nanoTime();
        boxes.start("c", boxNs("c"));
        boxes.awaitLog("c", "(?s)(joined through [^\\n]*as a client.*){2}", Duration.ofSeconds(60)); // this run's too
        System.out.printf("relay lab: box C attached again %d ms after its restart%n", (System.nanoTime() - t0) / 1_000_000);
        // the old connection from C is dead: A asks the new C through the overlay to connect again
        call("a", "c", (caller, callee) -> { });
    }
}
