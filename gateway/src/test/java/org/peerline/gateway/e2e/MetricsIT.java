package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics}: Prometheus' text format, with what the box did in it. */
@Timeout(60)
class MetricsIT {
    /** A sample line of the exposition format 0.0.4: name, optional labels, a number. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*})? (-?[0-9.eE+-]+)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)");

    @TempDir
    Path dir;

    @Test
    void metricsCountWhatTheBoxDid() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir, null)) {
            try (DigestClient c = new DigestClient(gw.sipPort)) {
                assertEquals(200, c.request("REGISTER", "sip:" + GatewayFixture.DOMAIN, "alice", "alice-secret"));
            }
            var admin = gw.peerline.admin().address();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Map<String, Double> values = new HashMap<>();
            Set<String> typed = new HashSet<>();
            for (String line : r.body().split("\n")) {
                Matcher t = TYPE.matcher(line);
                if (t.matches()) {
                    assertTrue(typed.add(t.group(1)), "one TYPE per metric: " + line);
                    if (t.group(2).equals("counter")) {
                        assertTrue(t.group(1).endsWith("_total"), "a counter's name ends in _total: " + line);
                    }
                    continue;
                }
                if (line.startsWith("# HELP ")) {
                    continue;
                }
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "a valid sample line: " + line);
                assertTrue(typed.contains(m.group(1)), "its TYPE comes first: " + line);
                values.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(4)));
            }
            assertEquals(1.0, values.get("peerline_registrations"), r.body());
            assertEquals(1.0, values.get("peerline_registration_contacts"), r.body());
            assertTrue(values.getOrDefault("peerline_sip_transactions_total{method=\"REGISTER\",status=\"2xx\"}", 0.0) >= 1,
                    r.body());
            assertTrue(values.getOrDefault("peerline_sip_transactions_total{method=\"REGISTER\",status=\"4xx\"}", 0.0) >= 1,
                    "the digest challenge: " + r.body());
            assertEquals(0.0, values.get("peerline_relay_calls"), r.body());
            assertEquals(0.0, values.get("peerline_relay_ports_in_use"), r.body());
        }
    }
}
