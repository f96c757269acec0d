package org.peerline.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A small W3C WebDriver client (https://www.w3.org/TR/webdriver2/) for {@code chromedriver} driving headless
 * Chromium: just what the page tests need (open a URL, find elements by CSS selector, click, type, read text, run
 * a script, take a screenshot), over {@link HttpClient} and Jackson, without Selenium. Closing it ends the browser
 * session and stops chromedriver.
 */
final class WebDriver implements AutoCloseable {
    /** The key under which WebDriver returns an element reference. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Process chromedriver;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String server;
    private String session;

    /** A command the driver refused or failed, with the W3C error code (e.g. {@code no such element}). */
    static final class WebDriverException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String error;

        WebDriverException(String error, String message) {
            super(error + ": " + message);
            this.error = error;
        }
    }

    private WebDriver(Process chromedriver, int port) {
        this.chromedriver = chromedriver;
        this.server = "http://127.0.0.1:" + port;
    }

    /**
     * Starts chromedriver on a free port (its log in {@code log}) and opens a headless Chromium session that
     * accepts self-signed certificates.
     */
    static WebDriver start(String chromium, Path log) throws IOException, InterruptedException {
        int port = GatewayFixture.freePort();
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder("chromedriver", "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        WebDriver d = new WebDriver(p, port);
        boolean ok = false;
        try {
            d.awaitReady(Duration.ofSeconds(20));
            d.session = d.newSession(chromium);
            ok = true;
            return d;
        } finally {
            if (!ok) {
                d.close();
            }
        }
    }

    private void awaitReady(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        String last = "no answer";
        while (System.nanoTime() < end) {
            if (!chromedriver.isAlive()) {
                throw new IllegalStateException("chromedriver exited with " + chromedriver.exitValue());
            }
            try {
                JsonNode v = command("GET", "/status", null);
                if (v.path("ready").asBoolean()) {
                    return;
                }
                last = v.toString();
            } catch (UncheckedIOException | WebDriverException e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chromedriver not ready within " + limit.toSeconds() + " s: " + last);
    }

    private String newSession(String chromium) {
        ObjectNode caps = JSON.createObjectNode();
        caps.put("browserName", "chrome");
        caps.put("acceptInsecureCerts", true);
        ObjectNode chrome = caps.putObject("goog:chromeOptions");
        chrome.put("binary", chromium);
        ArrayNode args = chrome.putArray("args");
        for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors",
                "--window-size=1280,1000", "--disable-dev-shm-usage", "--no-first-run")) {
            args.add(a);
        }
        ObjectNode body = JSON.createObjectNode();
        body.putObject("capabilities").set("alwaysMatch", caps);
        return command("POST", "/session", body).path("sessionId").asText();
    }

    /** Sends one command; returns its {@code value}, or throws the driver's error. */
    private JsonNode command(String method, String path, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).timeout(COMMAND_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8");
        b.method(method, body == null && !method.equals("POST") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body == null ? "{}" : body.toString()));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            JsonNode value = json.path("value");
            if (r.statusCode() != 200) {
                throw new WebDriverException(value.path("error").asText("HTTP " + r.statusCode()),
                        value.path("message").asText(r.body()));
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    private JsonNode session(String method, String path, JsonNode body) {
        return command(method, "/session/" + session + path, body);
    }

    private static ObjectNode obj(String key, String value) {
        ObjectNode o = JSON.createObjectNode();
        o.put(key, value);
        return o;
    }

    /** Opens {@code url} and waits for the page's load. */
    void get(String url) {
        session("POST", "/url", obj("url", url));
    }

    /** The elements matching the CSS selector now (none: an empty list). */
    List<String> findAll(String css) {
        ObjectNode q = obj("using", "css selector");
        q.put("value", css);
        List<String> ids = new ArrayList<>();
        for (JsonNode e : session("POST", "/elements", q)) {
            ids.add(e.path(ELEMENT).asText());
        }
        return ids;
    }

    /** The first element matching the CSS selector; throws {@code no such element} if there is none. */
    String find(String css) {
        ObjectNode q = obj("using", "css selector");
        q.put("value", css);
        return session("POST", "/element", q).path(ELEMENT).asText();
    }

    void click(String css) {
        session("POST", "/element/" + find(css) + "/click", JSON.createObjectNode());
    }

    /** Clears the field and types {@code text} into it. */
    void type(String css, String text) {
        String id = find(css);
        session("POST", "/element/" + id + "/clear", JSON.createObjectNode());
        session("POST", "/element/" + id + "/value", obj("text", text));
    }

    /** The element's rendered text (empty when it is hidden). */
    String text(String css) {
        return session("GET", "/element/" + find(css) + "/text", null).asText();
    }

    /** Whether the first element matching {@code css} exists and is shown. */
    boolean displayed(String css) {
        List<String> ids = findAll(css);
        return !ids.isEmpty() && session("GET", "/element/" + ids.get(0) + "/displayed", null).asBoolean();
    }

    /** Runs a synchronous script (its {@code arguments} are {@code args}); returns its result as JSON. */
    JsonNode execute(String script, Object... args) {
        ObjectNode body = JSON.createObjectNode();
        body.put("script", script);
        body.set("args", JSON.valueToTree(args));
        return session("POST", "/execute/sync", body);
    }

    /** A PNG of the window. */
    byte[] screenshot() {
        return Base64.getDecoder().decode(session("GET", "/screenshot", null).asText());
    }

    /** The page's HTML now, for a failure's report. */
    String source() {
        return session("GET", "/source", null).asText();
    }

    /**
     * Polls {@code probe} every 100 ms until it returns something other than null or {@code false}, and returns
     * that; a driver error (an element not there yet, gone stale) counts as "not yet". Fails with "{@code what}
     * within N s" at the deadline.
     */
    <T> T until(Duration limit, String what, Supplier<T> probe) {
        long end = System.nanoTime() + limit.toNanos();
        String lastError = "";
        while (true) {
            try {
                T v = probe.get();
                if (v != null && !Boolean.FALSE.equals(v)) {
                    return v;
                }
            } catch (WebDriverException e) {
                lastError = " (last: " + e.getMessage() + ")";
            }
            if (System.nanoTime() >= end) {
                throw new AssertionError(what + " within " + limit.toSeconds() + " s" + lastError);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Ends the browser session (if one was opened) and stops chromedriver. */
    @Override
    public void close() {
        try {
            if (session != null) {
                command("DELETE", "/session/" + session, null);
            }
        } catch (RuntimeException e) {
            // the browser is gone already; stop the driver anyway
        } finally {
            session = null;
            // the browser this driver started, should the session not have ended cleanly
            chromedriver.descendants().forEach(ProcessHandle::destroy);
            chromedriver.destroy();
            try {
                if (!chromedriver.waitFor(5, TimeUnit.SECONDS)) {
                    chromedriver.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                chromedriver.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
