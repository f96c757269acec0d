package org.peerline.gateway.e2e;

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
import java.util.regex.Pattern;

/**
 * The boxes of a namespace lab: each the real daemon ({@code peerline.jar run --config DIR/SITE.yaml}) in its
 * own network namespace, its output in {@code DIR/SITE.log}.
 */
final class LabBoxes {
    private final Path dir;
    private final Map<String, Process> running = new LinkedHashMap<>();

    LabBoxes(Path dir) {
        this.dir = dir;
    }

    Path config(String site) {
        return dir.resolve(site + ".yaml");
    }

    Path log(String site) {
        return dir.resolve(site + ".log");
    }

    /** Starts site {@code site}'s box in namespace {@code ns}, appending to its log. */
    void start(String site, String ns) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, java, "-Xmx256m", "-jar",
                Path.of("target", "peerline.jar").toAbsolutePath().toString(), "run", "--config", config(site).toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(site).toFile())).start();
        running.put(site, p);
    }

    Process process(String site) {
        return running.get(site);
    }

    /** Waits until the box's log matches {@code regex}; fails with the log if it does not in time or the box dies. */
    void awaitLog(String site, String regex, Duration limit) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log(site)) && pattern.matcher(Files.readString(log(site), StandardCharsets.UTF_8)).find()) {
                return;
            }
            assertTrue(running.get(site).isAlive(), "box " + site + " died:\n" + Files.readString(log(site)));
            Thread.sleep(200);
        }
        fail("box " + site + " did not log /" + regex + "/ within " + limit.toSeconds() + " s:\n"
                + Files.readString(log(site)));
    }

    /** The last {@code n} lines of the box's log. */
    String tail(String site, int n) throws IOException {
        List<String> lines = Files.readAllLines(log(site), StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /**
     * SIGTERM to every box, SIGKILL to those still running 10 s later; their logs are kept in
     * {@code target/lab-logs/LAB/} for a failure's post-mortem.
     */
    void stopAll(String lab) throws InterruptedException, IOException {
        for (Process p : running.values()) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        Path keep = Files.createDirectories(Path.of("target", "lab-logs", lab));
        for (String site : running.keySet()) {
            if (Files.exists(log(site))) {
                Files.copy(log(site), keep.resolve(site + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        running.clear();
    }
}
