package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Issue 4's lab: three sites, each a network namespace with its box (the real daemon, {@code peerline.jar run})
 * and its phones (SIPp), joined by one "WAN" bridge. Phones register at their own site; calls and MESSAGEs go
 * across every pair of sites by AOR and by extension, through overlay lookups and the boxes' TLS links; a
 * CANCEL crosses sites; a box killed with SIGKILL fails its users' callers fast while the other sites keep
 * working, and once restarted is reachable again.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FederationLabIT {
    private static final String WAN = "pl4wan";
    private static final String[] SITES = {"a", "b", "c"};
    /** Per site: its user, the user's extension, the box's WAN address. */
    private static final Map<String, String[]> PLAN = new LinkedHashMap<>();
    static {
        PLAN.put("a", new String[] {"alice", "1001", "10.77.0.1"});
        PLAN.put("b", new String[] {"bob", "2002", "10.77.0.2"});
        PLAN.put("c", new String[] {"carol", "3003", "10.77.0.3"});
    }
    private static final int PHONE_PORT = 5070;
    /** Per site, the user of a baresip softphone that sends a tone and records what it hears. */
    private static final Map<String, String> SOFTPHONE = Map.of("a", "ann", "b", "ben", "c", "cy");

    @TempDir
    static Path dir;
    private static LabBoxes boxes;

    private static String ns(String site) {
        return "pl4" + site;
    }

    private static String domain(String site) {
        return "site-" + site + ".example";
    }

    @BeforeAll
    static void lab() throws Exception {
        Sipp.assumeInstalled();
        Tools.require("ip", "iproute2");
        Netns.requireRoot("the federation lab");
        Path jar = Path.of("target", "peerline.jar").toAbsolutePath();
        assertTrue(Files.exists(jar), "the daemon's jar " + jar + " (built by mvn package)");
        teardown();
        boxes = new LabBoxes(dir);
        sh("ip", "netns", "add", WAN);
        sh("ip", "-n", WAN, "link", "add", "br0", "type", "bridge");
        sh("ip", "-n", WAN, "link", "set", "br0", "up");
        OverlayCa ca = OverlayCa.generate("lab.test");
        for (String s : SITES) {
            String[] p = PLAN.get(s);
            sh("ip", "netns", "add", ns(s));
            sh("ip", "-n", ns(s), "link", "set", "lo", "up");
            sh("ip", "link", "add", "eth0", "netns", ns(s), "type", "veth", "peer", "name", "to-" + s, "netns", WAN);
            sh("ip", "-n", ns(s), "addr", "add", p[2] + "/24", "dev", "eth0");
            sh("ip", "-n", ns(s), "link", "set", "eth0", "up");
            sh("ip", "-n", WAN, "link", "set", "to-" + s, "master", "br0", "up");
            Path data = dir.resolve(s);
            ca.issue("site-" + s, List.of(domain(s)), Duration.ofDays(1)).save(data.resolve("overlay/node"));
            Files.writeString(config(s), "site: { name: site-" + s + ", domain: " + domain(s) + " }\n"
                    + "data: " + data + "\n"
                    + "sip: { listen: [ \"udp:" + p[2] + ":5060\" ] }\n"
                    + "admin: { listen: \"127.0.0.1:8080\" }\n"
                    + "overlay: { listen: \"" + p[2] + ":6084\", sip-listen: \"" + p[2] + ":5061\""
                    + (s.equals("a") ? ", redirect: [ \"" + domain("c") + "\" ]" : ", bootstrap: [ \"10.77.0.1:6084\" ]")
                    + " }\n");
            Cli.Run add = Cli.peerline("user", "add", p[0], "--password", p[0] + "-secret", "--extension", p[1],
                    "--config", config(s).toString());
            assertEquals(0, add.status(), add.err());
            // a second user per site, for the softphone of the audio test
            Cli.Run softphone = Cli.peerline("user", "add", SOFTPHONE.get(s), "--password", "sound-check",
                    "--config", config(s).toString());
            assertEquals(0, softphone.status(), softphone.err());
        }
        for (String s : SITES) {
            start(s);
        }
        for (String s : SITES) {
            awaitLog(s, "overlay: joined through|overlay: started a new overlay", Duration.ofSeconds(60));
            register(s);
        }
    }

    @AfterAll
    static void teardown() throws Exception {
        if (boxes != null) {
            boxes.stopAll("federation-lab");
        }
        for (String s : SITES) {
            run("ip", "netns", "del", ns(s));
        }
        run("ip", "netns", "del", WAN);
    }

    private static Path config(String site) {
        return boxes.config(site);
    }

    private static Path log(String site) {
        return boxes.log(site);
    }

    private static void start(String site) throws IOException {
        boxes.start(site, ns(site));
    }

    private static void awaitLog(String site, String regex, Duration limit) throws Exception {
        boxes.awaitLog(site, regex, limit);
    }

    /** The site's phone registers its user from PHONE_PORT. */
    private static void register(String site) throws Exception {
        String[] p = PLAN.get(site);
        Path inf = Sipp.credentials(dir, p[0] + "-reg.csv", p[0], p[0] + "-secret");
        Sipp.Result r = Sipp.runIn(ns(site), dir, "register-auth.xml", 30, "-inf", inf.toString(), "-key", "domain",
                domain(site), "-auth_uri", domain(site), "-i", p[2], "-p", String.valueOf(PHONE_PORT), "-m", "1",
                p[2] + ":5060");
        assertEquals(0, r.exit(), "REGISTER " + p[0] + " at site " + site + ":\n" + r.output());
    }

    /**
     * A phone at {@code from} runs {@code uac} towards {@code target@targetDomain} through its box while the
     * callee's phone at {@code to} runs {@code uas}; both must end as the scenarios say.
     */
    private static void exchange(String from, String to, String target, String targetDomain, String uac, String uas)
            throws Exception {
        String[] caller = PLAN.get(from);
        String[] callee = PLAN.get(to);
        Path inf = Sipp.credentials(dir, caller[0] + ".csv", caller[0], caller[0] + "-secret");
        try (Sipp.Running phone = Sipp.startIn(ns(to), dir, uas, "-i", callee[2], "-p", String.valueOf(PHONE_PORT),
                "-t", "u1", "-m", "1")) {
            Sipp.Result r = Sipp.runIn(ns(from), dir, uac, 40, "-inf", inf.toString(), "-s", target, "-key", "domain",
                    targetDomain, "-auth_uri", target + "@" + targetDomain, "-i", caller[2], "-d", "200", "-m", "1",
                    caller[2] + ":5060");
            String what = uac + " from site " + from + " to " + target + "@" + targetDomain;
            assertEquals(0, r.exit(), what + ":\n" + r.output() + "\nbox " + from + " log:\n" + tail(from));
            Sipp.Result answered = phone.await(20);
            assertEquals(0, answered.exit(), what + ", callee's side:\n" + answered.output());
        }
    }

    private static String tail(String site) throws IOException {
        return boxes.tail(site, 30);
    }

    /** Runs {@code exchange} until it succeeds, for records still on their way into the overlay. */
    private static void eventually(Duration limit, Exchange exchange) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                exchange.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }

    private interface Exchange {
        void run() throws Exception;
    }

    @Test
    @Order(1)
    void callsAndMessagesCrossEveryPairOfSitesByNameAndByExtension() throws Exception {
        // extensions are claimed within 10 s of a box joining: the first call by extension may have to wait
        eventually(Duration.ofSeconds(30), () -> exchange("a", "b", "2002", domain("a"), "uac-call.xml", "uas-call.xml"));
        for (String from : SITES) {
            for (String to : SITES) {
                if (from.equals(to)) {
                    continue;
                }
                String[] callee = PLAN.get(to);
                if (!(from.equals("a") && to.equals("c"))) { // site A redirects calls to site C: see below
                    exchange(from, to, callee[0], domain(to), "uac-call.xml", "uas-call.xml");
                    exchange(from, to, callee[1], domain(from), "uac-call.xml", "uas-call.xml");
                }
                exchange(from, to, callee[0], domain(to), "uac-message.xml", "uas-message.xml");
                exchange(from, to, callee[1], domain(from), "uac-message.xml", "uas-message.xml");
            }
        }
    }

    @Test
    @Order(2)
    void softphonesAtTwoSitesHearEachOther() throws Exception {
        Tools.require("baresip", "baresip-core");
        try (Baresip ben = Baresip.startIn(ns("b"), "10.77.0.2", dir, "ben", "sound-check", domain("b"), "udp",
                "10.77.0.2", 5060, 5080, 41040, 1000)) {
            assertTrue(ben.awaitOutput("ben@" + domain("b") + ": {0/UDP/v4} 200 OK", 10_000), "ben did not register:\n"
                    + ben.output());
            Thread.sleep(500); // his record reaches the overlay
            try (Baresip ann = Baresip.startIn(ns("a"), "10.77.0.1", dir, "ann", "sound-check", domain("a"), "udp",
                    "10.77.0.1", 5060, 5080, 41000, 440, "/dial sip:ben@" + domain("b"))) {
                assertTrue(ann.awaitOutput("Call established", 15_000), "ann's call to site B was not established:\n"
                        + ann.output() + "\nbox a:\n" + tail("a"));
                assertTrue(ben.awaitOutput("Call established", 5_000), "ben did not see the call:\n" + ben.output());
                long end = System.currentTimeMillis() + 15_000;
                while ((ann.heardSeconds() < 3 || ben.heardSeconds() < 3) && System.currentTimeMillis() < end) {
                    Thread.sleep(200);
                }
                assertTrue(ben.stop(10_000), "ben did not hang up and exit");
                assertTrue(ann.awaitOutput("terminated", 5_000) || ann.output().contains("closed"),
                        "ann did not see ben's BYE (it crosses both boxes over their TLS link):\n" + ann.output());
                assertTrue(ann.stop(10_000), "ann did not exit");
                Baresip.assertHeard(ann, 1000, 440);
                Baresip.assertHeard(ben, 440, 1000);
            }
        }
    }

    @Test
    @Order(4)
    void aCancelCrossesSites() throws Exception {
        exchange("b", "c", "carol", domain("c"), "uac-cancel.xml", "uas-cancel.xml");
    }

    @Test
    @Order(3)
    void redirectModeSendsThePhoneToTheServingBox() throws Exception {
        // site A redirects calls to site C's domain: alice's box answers 302 with carol's box, and her phone calls
        // that box directly with the ticket it gave; site A's box is out of the call
        Path inf = Sipp.credentials(dir, "alice.csv", "alice", "alice-secret");
        Sipp.Result r = Sipp.runIn(ns("a"), dir, "uac-redirected.xml", 20, "-inf", inf.toString(), "-s", "carol",
                "-key", "domain", domain("c"), "-auth_uri", "carol@" + domain("c"), "-i", "10.77.0.1", "-m", "1",
                "-trace_logs", "10.77.0.1:5060");
        assertEquals(0, r.exit(), "alice's call to carol is redirected:\n" + r.output() + "\n" + tail("a"));
        String contact = null;
        try (var logs = Files.list(dir)) {
            for (Path l : logs.filter(p -> p.getFileName().toString().matches("uac-redirected.*_logs\\.log")).toList()) {
                var m = java.util.regex.Pattern.compile("redirected to (?:Contact: *)?<?sip:([^@]+)@([^;>]+)(;[^>\\s]*)?").matcher(
                        Files.readString(l));
                if (m.find()) {
                    contact = m.group(1) + "@" + m.group(2) + (m.group(3) == null ? "" : m.group(3));
                }
            }
        }
        assertTrue(contact != null && contact.startsWith("carol@10.77.0.3:5060;pl-rd="), "the 302 names carol at her box"
                + " with a ticket: " + contact);
        String hostPortParams = contact.substring(contact.indexOf('@') + 1);
        Path calls = Files.createDirectories(dir.resolve("redirected"));
        try (Sipp.Running phone = Sipp.startIn(ns("c"), dir, "uas-call.xml", "-i", "10.77.0.3", "-p",
                String.valueOf(PHONE_PORT), "-t", "u1", "-m", "1")) {
            // the phone follows the redirect: to the Contact's box, Request-URI with the ticket, no credentials there
            Sipp.Result followed = Sipp.runIn(ns("a"), calls, "uac-call.xml", 30, "-inf", inf.toString(), "-s", "carol",
                    "-key", "domain", hostPortParams, "-i", "10.77.0.1", "-d", "200", "-m", "1", "10.77.0.3:5060");
            assertEquals(0, followed.exit(), "the redirected call:\n" + followed.output() + "\n" + tail("c"));
            assertEquals(0, phone.await(20).exit(), "carol's phone answered");
        }
        assertTrue(Files.readString(log("c")).contains("INVITE sip:carol@10.77.0.3:5060;pl-rd="),
                "site C's box took the call from alice's phone itself");
        assertTrue(java.util.regex.Pattern.compile("INVITE sip:carol@10\\.77\\.0\\.3:5060;pl-rd=\\S+ from udp:10\\.77\\.0\\.1:\\d+ "
                + "call-id=\\S+ -> 200").matcher(Files.readString(log("c"))).find(), "without a challenge:\n" + tail("c"));
        // a forged ticket is worth nothing: the phone is challenged as a stranger
        Sipp.Result forged = Sipp.runIn(ns("a"), calls, "uac-unavailable.xml", 20, "-inf", inf.toString(), "-s", "carol",
                "-key", "domain", "10.77.0.3:5060;pl-rd=9999999999.AAAAAAAAAAAAAAAA", "-auth_uri", "carol@10.77.0.3",
                "-i", "10.77.0.1", "-m", "1", "10.77.0.3:5060");
        assertTrue(java.util.regex.Pattern.compile("pl-rd=9999999999\\.AAAAAAAAAAAAAAAA from udp:10\\.77\\.0\\.1:\\d+ "
                + "call-id=\\S+ -> 407").matcher(Files.readString(log("c"))).find(), "a forged ticket is challenged:\n"
                + tail("c") + "\n" + forged.output());
    }

    /** A call from alice to bob must get 480 within 2 s; returns how long the caller's whole exchange took. */
    private static long callToUnreachableBob(String why) throws Exception {
        Path inf = Sipp.credentials(dir, "alice.csv", "alice", "alice-secret");
        long t0 = System.nanoTime();
        Sipp.Result r = Sipp.runIn(ns("a"), dir, "uac-unavailable.xml", 20, "-inf", inf.toString(), "-s", "bob",
                "-key", "domain", domain("b"), "-auth_uri", "bob@" + domain("b"), "-i", "10.77.0.1", "-m", "1",
                "10.77.0.1:5060");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.exit(), "a call to bob while " + why + " gets 480:\n" + r.output() + "\n" + tail("a"));
        assertTrue(ms < 2500, "while " + why + ", the caller's whole exchange (challenge included) took " + ms + " ms");
        System.out.printf("federation lab: while %s, a call to bob got 480 after %d ms (SIPp run, challenge included)%n",
                why, ms);
        return ms;
    }

    @Test
    @Order(5)
    void aKilledBoxFailsItsCallersFastAndIsReachedAgainAfterARestart() throws Exception {
        // the box's machine drops off the network: nothing answers, not even a TCP reset
        sh("ip", "-n", ns("b"), "link", "set", "eth0", "down");
        callToUnreachableBob("box b is cut off the network");
        sh("ip", "-n", ns("b"), "link", "set", "eth0", "up");

        Process b = boxes.process("b");
        sh("kill", "-KILL", String.valueOf(b.pid()));
        assertTrue(b.waitFor(10, TimeUnit.SECONDS), "box b is gone");
        callToUnreachableBob("box b is killed");

        exchange("c", "a", "alice", domain("a"), "uac-call.xml", "uas-call.xml"); // the others keep working
        exchange("c", "a", "1001", domain("c"), "uac-call.xml", "uas-call.xml");

        start("b");
        awaitLog("b", "(?s)overlay: joined through.*overlay: joined through", Duration.ofSeconds(60));
        register("b");
        eventually(Duration.ofSeconds(20), () -> exchange("a", "b", "bob", domain("b"), "uac-call.xml", "uas-call.xml"));
        exchange("c", "b", "2002", domain("c"), "uac-call.xml", "uas-call.xml");
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Netns.sh(cmd);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Netns.run(cmd);
    }
}
