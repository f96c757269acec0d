package org.peerline.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Wireshark's command line, for the tests that have its RELOAD dissector judge what the node puts on the wire. */
public final class Tshark {
    /** Shows the frames with a malformed field or an expert warning or error. */
    public static final String COMPLAINTS = "_ws.malformed || _ws.expert.severity >= 0x00600000";

    private Tshark() {
    }

    /** Skips the test where tshark is missing, or fails it under PEERLINE_REQUIRE_TOOLS=1 (CI). */
    public static void require() {
        boolean present = new File("/usr/bin/tshark").canExecute();
        if (!present && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail("tshark is not installed (Debian package tshark) but PEERLINE_REQUIRE_TOOLS=1");
        }
        assumeTrue(present, "tshark is not installed (Debian package tshark); .ci/run installs it");
    }

    /** The {@code -d} options that make tshark decode RELOAD framing on each of {@code ports}. */
    public static List<String> reloadOn(Collection<Integer> ports) {
        List<String> out = new ArrayList<>();
        for (int p : ports) {
            out.add("-d");
            out.add("tcp.port==" + p + ",reload-framing");
        }
        return out;
    }

    /** Runs {@code tshark -n -r file args...} and returns what it printed; fails the test if tshark fails. */
    public static String run(Path scratch, Path file, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(args);
        long n = System.nanoTime();
        Path out = scratch.resolve("tshark-" + n + ".out");
        Path err = scratch.resolve("tshark-" + n + ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("tshark did not finish within 120 s");
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "tshark failed:\n" + text + Files.readString(err, StandardCharsets.UTF_8));
        return text;
    }
}
