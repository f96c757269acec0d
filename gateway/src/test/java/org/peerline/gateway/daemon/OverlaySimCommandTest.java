package org.peerline.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code peerline overlay sim} prints one JSON line of figures and refuses nonsense with status 2. */
class OverlaySimCommandTest {
    @Test
    void printsOneJsonLineWithTheWorkloadFigures() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int status;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            status = Main.execute("overlay", "sim", "--nodes", "30", "--minutes", "0.5", "--churn-per-minute", "0.1",
                    "--records", "200", "--seed", "4");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, status);
        String out = buf.toString(StandardCharsets.UTF_8).trim();
        assertEquals(1, out.lines().count(), out);
        JsonNode j = new ObjectMapper().readTree(out);
        assertEquals(30, j.get("nodes").asInt());
        assertEquals(30, j.get("joined").asInt());
        for (String field : new String[] {"lookups", "lookup_success", "hops_p50", "hops_p99", "latency_p50_ms",
                "latency_p99_ms", "maintenance_bytes_per_node_per_s"}) {
            assertTrue(j.has(field), "missing " + field + " in " + out);
        }
        assertTrue(j.get("lookups").asInt() > 300, out);
        assertTrue(j.get("lookup_success").asDouble() >= 0.99, out);
    }

    @Test
    void refusesImpossibleParameters() {
        assertEquals(Main.BAD_CONFIG, Main.execute("overlay", "sim", "--nodes", "1"));
        assertEquals(Main.BAD_CONFIG, Main.execute("overlay", "sim", "--churn-per-minute", "2"));
        assertEquals(Main.BAD_CONFIG, Main.execute("overlay", "sim", "--nodes", "many"));
    }
}
