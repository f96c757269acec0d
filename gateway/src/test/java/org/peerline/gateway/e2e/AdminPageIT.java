package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.peerline.provisioning.api.User;

/**
 * The admin page in a real browser (headless Chromium through chromedriver) against two boxes in an overlay:
 * set the first admin password with the setup code, log out, a wrong password, log in, add a user through the
 * form, see that user's phone register live, the overlay ring with both boxes, and a traced lookup drawn as
 * arrows. A screenshot goes to {@code target/admin-page.png} (and {@code admin-page-failure.png} with the page's
 * HTML when the test fails).
 */
@Timeout(180)
class AdminPageIT {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final Duration STEP = Duration.ofSeconds(10);
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;
    private final List<Peerline> running = new ArrayList<>();
    private WebDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        running.forEach(Peerline::close);
    }

    private Path config(String site, int sip, int overlayPort, Integer bootstrap, String https) throws Exception {
        Path cfg = dir.resolve(site + ".yaml");
        Files.writeString(cfg, "site: { name: " + site + ", domain: " + site + ".example }\n"
                + "data: " + dir.resolve(site) + "\n"
                + "sip: { listen: [ \"udp:127.0.0.1:" + sip + "\" ] }\n"
                + "admin: { listen: \"127.0.0.1:0\", https: " + https + " }\n"
                + "overlay: { sip-listen: \"127.0.0.1:" + GatewayFixture.freePort() + "\", listen: \"127.0.0.1:"
                + overlayPort + "\"" + (bootstrap == null ? "" : ", bootstrap: [ \"127.0.0.1:" + bootstrap + "\" ]")
                + " }\n");
        return cfg;
    }

    private Peerline start(Path cfg) throws Exception {
        Peerline p = Peerline.start(ConfigLoader.load(cfg), TimeSource.SYSTEM);
        running.add(p);
        p.overlay().joined().get(30, TimeUnit.SECONDS);
        return p;
    }

    private static Path artifact(String name) {
        return Path.of(System.getProperty("basedir", ".")).resolve("target").resolve(name);
    }

    @Test
    void anAdminSetsUpTheBoxAddsAUserAndWatchesTheOverlay() throws Exception {
        Tools.require("chromedriver", "chromium-driver");
        Tools.require("chromium", "chromium");
        OverlayCa ca = OverlayCa.generate("page.test");
        for (String site : List.of("site-a", "site-b")) {
            ca.issue(site, List.of(site + ".example"), Duration.ofDays(1)).save(dir.resolve(site).resolve("overlay/node"));
        }
        int overlayA = GatewayFixture.freePort();
        int sipA = GatewayFixture.freePort();
        Peerline a = start(config("site-a", sipA, overlayA, null, "\"127.0.0.1:0\""));
        Peerline b = start(config("site-b", GatewayFixture.freePort(), GatewayFixture.freePort(), overlayA, "off"));
        a.provisioning().users().add(new NewUser("alice", "alice-secret", "2001", "Alice"));
        b.provisioning().users().add(new NewUser("bob", "bob-secret", "3001", "Bob"));
        String setupCode = a.admin().setupCode();
        assertNotNull(setupCode, "a new box has a setup code");
        assertNotNull(a.adminPage(), "site A serves the page over HTTPS");

        browser = WebDriver.start(CHROMIUM, artifact("chromedriver.log"));
        try {
            walkThroughThePage(a, b, sipA, setupCode);
            Files.write(artifact("admin-page.png"), browser.screenshot());
        } catch (Throwable t) {
            try {
                Files.write(artifact("admin-page-failure.png"), browser.screenshot());
                Files.writeString(artifact("admin-page-failure.html"), browser.source());
            } catch (RuntimeException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    private void walkThroughThePage(Peerline a, Peerline b, int sipA, String setupCode) throws Exception {
        WebDriver w = browser;
        w.get("https://127.0.0.1:" + a.adminPage().getPort() + "/");

        // first visit: no password yet, the setup code sets one and logs in
        w.until(STEP, "the set-password screen", () -> w.displayed("#setup-view"));
        w.type("#setup-code", setupCode.toLowerCase(java.util.Locale.ROOT));
        w.type("#setup-password", PASSWORD);
        w.type("#setup-password2", PASSWORD);
        w.click("#setup-submit");
        w.until(STEP, "the page after setting the password", () -> w.displayed("#app-view"));
        w.until(STEP, "alice in the users table", () -> w.text("#users-table tbody").contains("alice"));
        w.until(STEP, "the site name in the top bar", () -> !w.text("#site-name").isEmpty());

        // log out, a wrong password, then the right one
        w.click("#logout");
        w.until(STEP, "the login screen after logging out", () -> w.displayed("#login-view"));
        assertTrue(!w.displayed("#app-view"), "nothing of the page stays visible after logging out");
        w.type("#login-password", "not the password");
        w.click("#login-submit");
        String error = w.until(STEP, "an error for a wrong password",
                () -> w.displayed("#login-error") ? w.text("#login-error") : null);
        assertTrue(error.contains("wrong password"), error);
        assertTrue(w.displayed("#login-view") && !w.displayed("#app-view"), "still logged out");
        w.type("#login-password", PASSWORD);
        w.click("#login-submit");
        w.until(STEP, "the page after logging in", () -> w.displayed("#app-view"));

        // a user added through the form
        w.click("#tab-users");
        w.type("#user-add-name", "carol");
        w.type("#user-add-password", "carol-secret");
        w.type("#user-add-extension", "2003");
        w.type("#user-add-display", "Carol <Ops>");
        w.click("#user-add-submit");
        w.until(STEP, "carol in the users table",
                () -> w.findAll("#users-table tbody tr[data-name='carol']").size() == 1);
        String row = w.text("#users-table tbody tr[data-name='carol']");
        assertTrue(row.contains("2003") && row.contains("Carol <Ops>"), "the row shows the extension and the"
                + " display name as text: " + row);
        User carol = a.provisioning().users().find("carol").orElseThrow();
        assertEquals("2003", carol.extension());
        assertEquals("Carol <Ops>", carol.displayName());

        // a desk phone with two lines: its password is shown once, with the file it fetches
        w.click("#tab-phones");
        w.type("#phone-add-mac", "00:15:65:12:AB:3C");
        w.click("#phone-add-vendor option[value='grandstream']");
        w.type("#phone-add-lines", "carol, alice");
        assertEquals("/provision/cfg00156512ab3c.xml", w.text("#phone-add-file"));
        w.click("#phone-add-submit");
        w.until(STEP, "the new phone's password", () -> w.displayed("#phone-added"));
        var deskPhone = a.provisioning().phones().find("00156512ab3c").orElseThrow();
        assertEquals(List.of("carol", "alice"), deskPhone.lines());
        assertEquals(deskPhone.password(), w.text("#phone-password"));
        w.until(STEP, "the phone in the table", () -> w.text("#phones-table tbody").contains("00:15:65:12:ab:3c"));
        w.click("#phone-added-close");
        assertTrue(w.text("#phones-table tbody").contains("cfg00156512ab3c.xml"), "the table names the file");

        // carol's phone registers; the registrations tab shows it by itself (it refreshes every 5 s)
        w.click("#tab-registrations");
        w.until(STEP, "the registrations tab", () -> w.displayed("#registrations-table"));
        try (DigestClient phone = new DigestClient(sipA, "site-a.example")) {
            assertEquals(200, phone.request("REGISTER", "sip:site-a.example", "carol", "carol-secret"));
        }
        w.until(STEP, "carol's registration in the table",
                () -> w.text("#registrations-table tbody").contains("carol@site-a.example"));

        // the overlay: both boxes on the ring, and a traced lookup drawn hop by hop
        w.click("#tab-overlay");
        w.until(STEP, "two members on the ring", () -> w.findAll("#ring svg circle.member").size() == 2);
        assertEquals(1, w.findAll("#ring svg circle.member.self").size(), "this box is highlighted");
        String aor = aorHeldBy(a, b.overlay().overlay().nodeId().toString());
        w.type("#trace-aor", aor);
        w.click("#trace-submit");
        w.until(Duration.ofSeconds(25), "the trace drawn on the ring",
                () -> !w.findAll("#ring svg path.hop").isEmpty());
        List<String> hops = w.findAll("#trace-result li");
        assertTrue(!hops.isEmpty(), "the hops are listed too");
        String lastPeer = w.execute("const h = document.querySelectorAll('#ring svg path.hop');"
                + " return h[h.length - 1].getAttribute('data-peer');").asText();
        Overlay.Hop last = lastHop(a, aor);
        assertEquals(last.peer().toString(), lastPeer, "the last arrow ends at the box responsible for " + aor);
    }

    /** An AOR whose lookup from {@code a} ends at {@code other} (so the trace crosses boxes), else any. */
    private static String aorHeldBy(Peerline a, String other) {
        for (int i = 0; i < 16; i++) {
            String aor = "sip:user" + i + "@site-b.example";
            try {
                if (lastHop(a, aor).peer().toString().equals(other)) {
                    return aor;
                }
            } catch (Exception e) {
                // try the next one
            }
        }
        return "sip:carol@site-a.example";
    }

    private static Overlay.Hop lastHop(Peerline box, String aor) throws Exception {
        List<Overlay.Hop> hops = box.overlay().overlay().trace(aor).get(10, TimeUnit.SECONDS);
        return hops.get(hops.size() - 1);
    }
}
