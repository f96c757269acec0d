package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Issue 6's lab: three boxes, each in its own network namespace on one "WAN" bridge, keep a zone of a real
 * BIND 9 (the customer's authoritative server, on the bridge at 10.79.0.254) pointing at the boxes that are
 * alive, by RFC 2136 updates signed with TSIG. dig reads the NAPTR, SRV, A and bootstrap records back; a box
 * killed with SIGKILL disappears within the target (15 s) and comes back when restarted; when the box that
 * writes is killed, another takes over and removes it. The figures are printed.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DnsLabIT {
    private static final String WAN = "pl6wan";
    private static final List<String> SITES = List.of("a", "b", "c", "d");
    /** The boxes started with the lab; box D joins later, given only the zone's name. */
    private static final List<String> FIRST = List.of("a", "b", "c");
    private static final String DNS_IP = "10.79.0.254";
    private static final String ZONE = "lab.test";
    private static final String KEY = "peerline-lab";
    private static final String SECRET = "bGFiIHNlY3JldCBvZiB0aGUgZG5zIHB1Ymxpc2hlciBsYWIh";
    private static final long TARGET_MILLIS = 15_000;

    @TempDir
    static Path dir;
    private static LabBoxes boxes;
    private static Process named;

    private static String ns(String s) {
        return "pl6" + s;
    }

    private static String ip(String s) {
        return "10.79.0." + (SITES.indexOf(s) + 1);
    }

    private static String domain(String s) {
        return "site-" + s + "." + ZONE;
    }

    private static String host(String s) {
        return "site-" + s + ".box." + ZONE;
    }

    @BeforeAll
    static void lab() throws Exception {
        Tools.require("ip", "iproute2");
        Tools.require("named", "bind9");
        Tools.require("dig", "dnsutils");
        Netns.requireRoot("the DNS lab");
        assertTrue(Files.exists(Path.of("target", "peerline.jar")), "the daemon's jar (built by mvn package)");
        teardown();
        boxes = new LabBoxes(dir);
        Netns.sh("ip", "netns", "add", WAN);
        Netns.sh("ip", "-n", WAN, "link", "set", "lo", "up");
        Netns.sh("ip", "-n", WAN, "link", "add", "br0", "type", "bridge");
        Netns.sh("ip", "-n", WAN, "addr", "add", DNS_IP + "/24", "dev", "br0");
        Netns.sh("ip", "-n", WAN, "link", "set", "br0", "up");
        startBind();
        OverlayCa ca = OverlayCa.generate("lab.test");
        for (String s : SITES) {
            Netns.sh("ip", "netns", "add", ns(s));
            Netns.sh("ip", "-n", ns(s), "link", "set", "lo", "up");
            Netns.sh("ip", "link", "add", "eth0", "netns", ns(s), "type", "veth", "peer", "name", "to-" + s, "netns", WAN);
            Netns.sh("ip", "-n", ns(s), "addr", "add", ip(s) + "/24", "dev", "eth0");
            Netns.sh("ip", "-n", ns(s), "link", "set", "eth0", "up");
            Netns.sh("ip", "-n", WAN, "link", "set", "to-" + s, "master", "br0", "up");
            Path data = dir.resolve(s);
            ca.issue("site-" + s, List.of(domain(s)), Duration.ofDays(1)).save(data.resolve("overlay/node"));
            Files.writeString(boxes.config(s), "site: { name: site-" + s + ", domain: " + domain(s) + " }\n"
                    + "data: " + data + "\n"
                    + "sip: { listen: [ \"udp:" + ip(s) + ":5060\", \"tcp:" + ip(s) + ":5060\" ] }\n"
                    + "admin: { listen: \"127.0.0.1:8080\" }\n"
                    + "relay: { enabled: false }\n"
                    + "overlay: { listen: \"" + ip(s) + ":6084\", sip-listen: \"" + ip(s) + ":5061\""
                    + (s.equals("a") ? "" : s.equals("d") ? ", bootstrap: [ \"dns:" + ZONE + "\" ]"
                    : ", bootstrap: [ \"" + ip("a") + ":6084\" ]") + " }\n"
                    + "dns: { mode: rfc2136, zone: " + ZONE + ", server: \"" + DNS_IP + ":53\", ttl: 10s,\n"
                    + "       tsig: { name: " + KEY + ", algorithm: hmac-sha256, secret: \"" + SECRET + "\" } }\n");
        }
        // box D's resolver is the lab's BIND (ip netns exec mounts /etc/netns/NS/resolv.conf on /etc/resolv.conf)
        Files.createDirectories(RESOLV.getParent());
        Files.writeString(RESOLV, "nameserver " + DNS_IP + "\n");
        for (String s : FIRST) {
            boxes.start(s, ns(s));
            boxes.awaitLog(s, "overlay: joined through|overlay: started a new overlay", Duration.ofSeconds(60));
        }
    }

    private static final Path RESOLV = Path.of("/etc/netns", "pl6d", "resolv.conf");

    /** BIND 9 on the bridge, authoritative for the zone, updates and transfers allowed for the lab's key. */
    private static void startBind() throws Exception {
        Path bind = Files.createDirectories(dir.resolve("bind"));
        Files.writeString(bind.resolve(ZONE + ".zone"), "$TTL 60\n"
                + "@ IN SOA ns." + ZONE + ". hostmaster." + ZONE + ". 1 60 30 3600 10\n"
                + "@ IN NS ns." + ZONE + ".\nns IN A " + DNS_IP + "\nwww IN A 192.0.2.80\n");
        Files.writeString(bind.resolve("named.conf"), "options {\n  directory \"" + bind + "\";\n"
                + "  pid-file \"" + bind.resolve("named.pid") + "\";\n  listen-on port 53 { " + DNS_IP + "; };\n"
                + "  listen-on-v6 { none; };\n  recursion no;\n  dnssec-validation no;\n};\ncontrols { };\n"
                + "key \"" + KEY + "\" { algorithm hmac-sha256; secret \"" + SECRET + "\"; };\n"
                + "zone \"" + ZONE + "\" {\n  type primary;\n  file \"" + bind.resolve(ZONE + ".zone") + "\";\n"
                + "  allow-update { key \"" + KEY + "\"; };\n  allow-transfer { key \"" + KEY + "\"; };\n};\n");
        named = new ProcessBuilder("ip", "netns", "exec", WAN, "named", "-g", "-n", "1", "-c",
                bind.resolve("named.conf").toString()).redirectErrorStream(true)
                .redirectOutput(bind.resolve("named.log").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(bind.resolve("named.log")).contains("running")) {
            if (!named.isAlive() || System.nanoTime() > end) {
                fail("named did not start:\n" + Files.readString(bind.resolve("named.log")));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void teardown() throws Exception {
        if (boxes != null) {
            boxes.stopAll("dns-lab");
        }
        if (named != null) {
            named.destroy();
            named.waitFor(10, TimeUnit.SECONDS);
        }
        for (String s : SITES) {
            Netns.run("ip", "netns", "del", ns(s));
        }
        Netns.run("ip", "netns", "del", WAN);
        Files.deleteIfExists(RESOLV);
        Files.deleteIfExists(RESOLV.getParent());
    }

    /** {@code dig +short} at the lab's BIND, from the bridge. */
    private static List<String> dig(String type, String name) throws Exception {
        return Netns.output(WAN, "dig", "@" + DNS_IP, "+short", "+time=1", "+tries=1", type, name).lines()
                .filter(l -> !l.isBlank()).sorted().toList();
    }

    private static boolean shown(String s) throws Exception {
        return dig("A", host(s)).contains(ip(s));
    }

    /** Milliseconds until box {@code s}'s address record is {@code present} (or absent); fails after {@code limit}. */
    private static long until(String s, boolean present, Duration limit) throws Exception {
        long t0 = System.nanoTime();
        long end = t0 + limit.toNanos();
        while (System.nanoTime() < end) {
            if (shown(s) == present) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            Thread.sleep(100);
        }
        fail("box " + s + " " + (present ? "did not appear in" : "did not leave") + " DNS within " + limit.toSeconds()
                + " s; boxes' last lines:\n" + tails());
        return -1;
    }

    /** Each running box's last log lines, and what its admin API says of DNS and of its place in the overlay. */
    private static String tails() throws Exception {
        StringBuilder b = new StringBuilder();
        for (String s : SITES) {
            if (boxes.process(s) == null || !boxes.process(s).isAlive()) {
                continue;
            }
            b.append("box ").append(s).append(":\n").append(boxes.tail(s, 12)).append('\n');
            for (String api : List.of("/api/dns", "/api/overlay/status")) {
                b.append(api).append(": ").append(Netns.output(ns(s), "curl", "-sS", "-m", "3", "http://127.0.0.1:8080" + api))
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** The site whose box writes the zone now: of the running boxes whose last word on it is "now writes", the latest. */
    private static String writer() throws Exception {
        String found = null;
        long latest = -1;
        for (String s : SITES) {
            if (boxes.process(s) == null || !boxes.process(s).isAlive()) {
                continue;
            }
            String last = null;
            for (String line : Files.readAllLines(boxes.log(s))) {
                if (line.contains("dns: this box now writes zone") || line.contains("dns: this box no longer writes zone")) {
                    last = line;
                }
            }
            if (last != null && last.contains("now writes")) {
                long at = java.time.OffsetDateTime.parse(last.substring(0, last.indexOf(' '))).toInstant().toEpochMilli();
                if (at > latest) {
                    latest = at;
                    found = s;
                }
            }
        }
        return found;
    }

    @Test
    @Order(1)
    void theLiveBoxesAppearInTheCustomersZone() throws Exception {
        for (String s : FIRST) {
            until(s, true, Duration.ofSeconds(30));
        }
        for (String s : FIRST) {
            assertEquals(List.of("10 10 5060 " + host(s) + "."), dig("SRV", "_sip._udp." + domain(s)));
            assertEquals(List.of("10 10 5060 " + host(s) + "."), dig("SRV", "_sip._tcp." + domain(s)));
            assertEquals(List.of("10 10 5061 " + host(s) + "."), dig("SRV", "_sips._tcp." + domain(s)));
            assertEquals(3, dig("NAPTR", domain(s)).size(), dig("NAPTR", domain(s)).toString());
        }
        assertEquals(List.of("10 10 6084 " + host("a") + ".", "10 10 6084 " + host("b") + ".", "10 10 6084 "
                + host("c") + "."), dig("SRV", "_p2psip._tcp." + ZONE), "every box is a bootstrap");
        assertEquals(List.of("192.0.2.80"), dig("A", "www." + ZONE), "the customer's own record stays");
        assertTrue(writer() != null, "one box says it writes the zone:\n" + tails());
        Wait.within(Duration.ofSeconds(15), "box A's metrics show the three boxes live in DNS and in the overlay", () -> {
            try {
                String metrics = Netns.output(ns("a"), "curl", "-sS", "http://127.0.0.1:8080/metrics");
                return metrics.contains("\npeerline_dns_live_boxes 3\n") && metrics.contains("\npeerline_overlay_members 3\n")
                        && metrics.contains("\npeerline_overlay_lookups_total ");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @Order(2)
    void aKilledBoxLeavesDnsWithinTheTargetAndComesBackWhenRestarted() throws Exception {
        String w = writer();
        String victim = FIRST.stream().filter(s -> !s.equals(w)).findFirst().orElseThrow();
        Netns.sh("kill", "-KILL", String.valueOf(boxes.process(victim).pid()));
        long gone = until(victim, false, Duration.ofSeconds(30));
        System.out.printf("dns lab: box %s killed (SIGKILL), its records gone from BIND after %d ms (target %d)%n", victim,
                gone, TARGET_MILLIS);
        assertTrue(gone <= TARGET_MILLIS, "gone after " + gone + " ms");
        for (String s : FIRST) {
            if (!s.equals(victim)) {
                assertTrue(shown(s), "box " + s + " is still there");
            }
        }
        boxes.start(victim, ns(victim));
        long back = until(victim, true, Duration.ofSeconds(60));
        System.out.printf("dns lab: box %s restarted, back in DNS after %d ms%n", victim, back);
        // the next test kills the writer: first let the ring settle, every box linked to both others (a box whose
        // only link is to the killed one rejoins through its bootstrap box alone, which may be that one)
        Wait.within(Duration.ofSeconds(90), "every box knows the other two in the overlay", () -> FIRST.stream()
                .allMatch(s -> {
                    try {
                        String status = Netns.output(ns(s), "curl", "-sS", "http://127.0.0.1:8080/api/overlay/status");
                        return status.contains("\"members\":3") && status.contains("\"links\":2");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
    }

    @Test
    @Order(3)
    void whenTheWriterIsKilledAnotherBoxTakesOverAndRemovesIt() throws Exception {
        String w = writer();
        assertTrue(w != null, "a box writes the zone");
        Netns.sh("kill", "-KILL", String.valueOf(boxes.process(w).pid()));
        long gone = until(w, false, Duration.ofSeconds(30));
        String next = writer();
        System.out.printf("dns lab: the writer, box %s, killed; box %s took over and removed it after %d ms%n", w, next,
                gone);
        assertTrue(next != null && !next.equals(w), "another box writes the zone now:\n" + tails());
        assertTrue(gone <= TARGET_MILLIS, "gone after " + gone + " ms");
        assertEquals(2, SITES.stream().filter(s -> {
            try {
                return shown(s);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).count(), "the other two boxes stay");
    }

    @Test
    @Order(4)
    void aNewBoxGivenOnlyTheZoneJoinsThroughTheBoxesDnsNames() throws Exception {
        boxes.start("d", ns("d"));
        boxes.awaitLog("d", "overlay: joined through", Duration.ofSeconds(60));
        String log = Files.readString(boxes.log("d"));
        assertTrue(log.contains("DNS zone " + ZONE + " names bootstrap boxes"), "box D looked the zone up:\n" + log);
        long shown = until("d", true, Duration.ofSeconds(30));
        String named = log.lines().filter(l -> l.contains("names bootstrap boxes")).findFirst().orElse("?");
        System.out.printf("dns lab: box D, given only the zone's name, found %s and is in DNS %d ms after it joined%n",
                named.substring(named.indexOf("names bootstrap boxes") + 22), shown);
        assertTrue(dig("SRV", "_p2psip._tcp." + ZONE).contains("10 10 6084 " + host("d") + "."),
                "and is a bootstrap box itself now");
    }

    /** The sites whose boxes the zone shows now. */
    private static java.util.Set<String> shownSites() throws Exception {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String s : SITES) {
            if (shown(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The WAN splits in two, {A, B} and {C, D}; both halves still reach the DNS server. Each half's overlay has a
     * box responsible for the zone's entries, but only the half with site A (two of the four boxes the zone shows,
     * and the first site name) may write: DNS goes from four boxes to {A, B} (the boxes of the other half leaving
     * one by one as their Probes fail) and never flaps back, nor to {C, D}, whose writer stands by and says why.
     * The halves are joined again at the end.
     */
    @Test
    @Order(5)
    void aSplitOverlayDoesNotMakeDnsFlap() throws Exception {
        for (String s : FIRST) {
            if (!boxes.process(s).isAlive()) {
                boxes.start(s, ns(s)); // the writer killed before
            }
        }
        for (String s : SITES) {
            until(s, true, Duration.ofSeconds(60));
        }
        Path split = dir.resolve("split.nft");
        Files.writeString(split, "table bridge split {\n  chain forward {\n    type filter hook forward priority 0;\n"
                + "    iifname { \"to-a\", \"to-b\" } oifname { \"to-c\", \"to-d\" } drop\n"
                + "    iifname { \"to-c\", \"to-d\" } oifname { \"to-a\", \"to-b\" } drop\n  }\n}\n");
        Netns.in(WAN, "nft", "-f", split.toString());
        List<java.util.Set<String>> states = new java.util.ArrayList<>();
        try {
            long end = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (System.nanoTime() < end) {
                java.util.Set<String> now = shownSites();
                if (states.isEmpty() || !states.get(states.size() - 1).equals(now)) {
                    states.add(now);
                }
                Thread.sleep(500);
            }
        } finally {
            Netns.in(WAN, "nft", "delete", "table", "bridge", "split");
        }
        System.out.printf("dns lab: overlay split {a,b} | {c,d} for 45 s; the zone showed, in turn: %s%n", states);
        assertEquals(java.util.Set.of("a", "b", "c", "d"), states.get(0));
        for (int i = 1; i < states.size(); i++) {
            assertTrue(states.get(i - 1).containsAll(states.get(i)), "no flapping: a box the zone dropped never came"
                    + " back while the overlay was split: " + states + "\n" + tails());
            assertTrue(states.get(i).containsAll(List.of("a", "b")), "the {c,d} half (two of four, without the first"
                    + " site) never removed the other half's boxes: " + states + "\n" + tails());
        }
        assertEquals(java.util.Set.of("a", "b"), states.get(states.size() - 1), "the half with site A's box removed the"
                + " boxes it cannot see: " + states + "\n" + tails());
        String standing = Files.readString(boxes.log("c")) + Files.readString(boxes.log("d"));
        assertTrue(standing.contains("left as it is") && standing.contains("may be cut off"),
                "the {c,d} half's writer says why it stands by:\n" + tails());
    }
}
