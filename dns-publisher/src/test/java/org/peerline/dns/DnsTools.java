package org.peerline.dns;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real DNS tools the tests use: dig (Debian dnsutils) and BIND 9's named (Debian bind9). */
final class DnsTools {
    private DnsTools() {
    }

    /** Skips the test where {@code path} is missing, or fails it under PEERLINE_REQUIRE_TOOLS=1 (CI). */
    static void require(String path, String debianPackage) {
        boolean present = new File(path).canExecute();
        if (!present && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail(path + " is not installed (Debian package " + debianPackage + ") but PEERLINE_REQUIRE_TOOLS=1");
        }
        assumeTrue(present, path + " is not installed (Debian package " + debianPackage + "); .ci/run installs it");
    }

    /** {@code dig +short} of {@code type name} at 127.0.0.1:{@code port}, one answer per line, sorted. */
    static List<String> dig(int port, String type, String name, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port), "+short", "+time=2",
                "+tries=2"));
        cmd.addAll(List.of(options));
        cmd.add(type);
        cmd.add(name);
        String out = run(cmd);
        return out.lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    /** The full {@code dig} output (header, status, sections). */
    static String digFull(int port, String type, String name, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(port), "+time=2", "+tries=2"));
        cmd.addAll(List.of(options));
        cmd.add(type);
        cmd.add(name);
        return run(cmd);
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
        return new String(out, StandardCharsets.UTF_8);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * BIND 9 started for a test: authoritative for {@code zone} (a dynamic zone with one record of the customer's,
     * {@code www}), on 127.0.0.1 at a free port, updates and transfers allowed for the TSIG key
     * {@code peerline-test} (hmac-sha256, {@link #SECRET}).
     */
    static final class Bind implements AutoCloseable {
        static final String SECRET = "c2VjcmV0IGtleSBvZiB0aGUgdGVzdCBkbnMgcHVibGlzaGVyIQ==";
        static final String KEY = "peerline-test";
        final int port;
        final Path dir;
        private final Process named;

        Bind(Path dir, String zone) throws Exception {
            require("/usr/sbin/named", "bind9");
            this.dir = dir;
            this.port = freePort();
            Files.writeString(dir.resolve(zone + ".zone"), "$TTL 60\n"
                    + "@ IN SOA ns." + zone + ". hostmaster." + zone + ". 1 60 30 3600 30\n"
                    + "@ IN NS ns." + zone + ".\n"
                    + "ns IN A 127.0.0.1\n"
                    + "www IN A 192.0.2.80\n");
            Files.writeString(dir.resolve("named.conf"), "options {\n"
                    + "  directory \"" + dir + "\";\n  pid-file \"" + dir.resolve("named.pid") + "\";\n"
                    + "  listen-on port " + port + " { 127.0.0.1; };\n  listen-on-v6 { none; };\n"
                    + "  recursion no;\n  dnssec-validation no;\n  allow-query { any; };\n};\n"
                    + "controls { };\n"
                    + "key \"" + KEY + "\" { algorithm hmac-sha256; secret \"" + SECRET + "\"; };\n"
                    + "zone \"" + zone + "\" {\n  type primary;\n  file \"" + dir.resolve(zone + ".zone") + "\";\n"
                    + "  allow-update { key \"" + KEY + "\"; };\n  allow-transfer { key \"" + KEY + "\"; };\n};\n");
            named = new ProcessBuilder("/usr/sbin/named", "-g", "-n", "1", "-c", dir.resolve("named.conf").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("named.log").toFile()).start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end) {
                if (!named.isAlive()) {
                    fail("named exited:\n" + log());
                }
                if (log().contains("running")) {
                    return;
                }
                Thread.sleep(100);
            }
            fail("named did not start within 20 s:\n" + log());
        }

        String log() throws IOException {
            return Files.readString(dir.resolve("named.log"));
        }

        @Override
        public void close() {
            named.destroy();
            try {
                if (!named.waitFor(10, TimeUnit.SECONDS)) {
                    named.destroyForcibly();
                }
            } catch (InterruptedException e) {
                named.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
