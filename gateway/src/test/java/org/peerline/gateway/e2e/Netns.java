package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands for the network-namespace labs: run a command (in a namespace), and the root check they share. */
final class Netns {
    private Netns() {
    }

    /** Skips without root (fails under CI, which runs as root): namespaces, veths and nftables need it. */
    static void requireRoot(String lab) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail(lab + " needs root for network namespaces, and CI runs as root");
        }
        assumeTrue(root, lab + " needs root (network namespaces); CI runs it");
    }

    /** Runs a command that must succeed. */
    static void sh(String... cmd) throws IOException, InterruptedException {
        String out = runOut(cmd);
        if (out != null) {
            fail(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** Runs a command in namespace {@code ns}; it must succeed. */
    static void in(String ns, String... cmd) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        sh(all.toArray(String[]::new));
    }

    /** Runs a command in namespace {@code ns} and returns its output (stdout and stderr), whatever its status. */
    static String output(String ns, String... cmd) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    /** Runs a command that may fail (clean-up). */
    static void run(String... cmd) throws IOException, InterruptedException {
        runOut(cmd);
    }

    /** Runs a command; null if it succeeded, else its output. */
    static String runOut(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out;
    }
}
