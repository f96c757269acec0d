package org.peerline.gateway.e2e;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs SIPp (Debian {@code sip-tester}) scenarios from test resources; every run is bounded. */
final class Sipp {
    /** A finished SIPp run: exit status 0 means every call of the scenario succeeded. */
    record Result(int exit, String output) {
    }

    /** A SIPp process running in the background (a UAS). */
    static final class Running implements AutoCloseable {
        private final Process process;
        private final Path log;

        Running(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        Result await(long seconds) throws IOException, InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(-1, "timed out after " + seconds + " s\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                try {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private Sipp() {
    }

    static void assumeInstalled() {
        Tools.require("sipp", "sip-tester");
    }

    /** Writes an injection file: SEQUENTIAL, then one "user;password" line per user. */
    static Path credentials(Path dir, String name, String... userPassword) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("SEQUENTIAL");
        for (int i = 0; i < userPassword.length; i += 2) {
            lines.add(userPassword[i] + ";" + userPassword[i + 1]);
        }
        Path f = dir.resolve(name);
        Files.write(f, lines, StandardCharsets.US_ASCII);
        return f;
    }

    static Result run(Path dir, String scenario, long seconds, String... args) throws IOException, InterruptedException {
        try (Running r = start(dir, scenario, args)) {
            return r.await(seconds);
        }
    }

    static Running start(Path dir, String scenario, String... args) throws IOException {
        return startIn(null, dir, scenario, args);
    }

    /** Runs SIPp in the network namespace {@code netns} (null: this one), as a phone of a lab site. */
    static Result runIn(String netns, Path dir, String scenario, long seconds, String... args)
            throws IOException, InterruptedException {
        try (Running r = startIn(netns, dir, scenario, args)) {
            return r.await(seconds);
        }
    }

    static Running startIn(String netns, Path dir, String scenario, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(List.of("sipp", "-sf", scenario(scenario).toString(), "-nostdin",
                "-timeout", "20s", "-timeout_error", "-recv_timeout", "10s", "-trace_err",
                "-error_file", dir.resolve(scenario + "-" + System.nanoTime() + ".err").toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "sipp-", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new Running(p, log);
    }

    private static Path scenario(String name) throws IOException {
        try {
            var url = Sipp.class.getResource("/sipp/" + name);
            if (url == null) {
                throw new IOException("missing scenario sipp/" + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }
}
