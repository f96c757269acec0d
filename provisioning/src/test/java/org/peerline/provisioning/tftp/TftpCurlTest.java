package org.peerline.provisioning.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server against a real TFTP client: curl, on loopback. */
@Timeout(30)
class TftpCurlTest {
    private static final long CURL_SECONDS = 20;
    /** curl's exit codes, from its man page. */
    private static final int CURLE_TFTP_NOTFOUND = 68;
    private static final int CURLE_TFTP_PERM = 69;

    private static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();
    private static TftpServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        requireCurlWithTftp();
        server = TftpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                (name, client) -> Optional.ofNullable(FILES.get(name)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 511, 512, 1500, 100_000})
    void curlFetchesFileOfEverySize(int size) throws Exception {
        byte[] file = put("phone-" + size + ".cfg", size);
        assertEquals(0, curl("-o", out(), url("phone-" + size + ".cfg")));
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("out")));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1024, 2048, 100_000})
    void curlFetchesWithBlockSize1024(int size) throws Exception {
        byte[] file = put("big/" + size + ".bin", size);
        assertEquals(0, curl("--tftp-blksize", "1024", "-o", out(), url("big/" + size + ".bin")));
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("out")));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 512, 1500, 100_000})
    void curlFetchesWithoutOptions(int size) throws Exception {
        byte[] file = put("plain-" + size, size);
        assertEquals(0, curl("--tftp-no-options", "-o", out(), url("plain-" + size)));
        assertArrayEquals(file, Files.readAllBytes(dir.resolve("out")));
    }

    @Test
    void curlReportsFileNotFound() throws Exception {
        assertEquals(CURLE_TFTP_NOTFOUND, curl("-o", out(), url("no-such-file.cfg")));
    }

    @Test
    void curlUploadIsRefused() throws Exception {
        Path upload = dir.resolve("upload.cfg");
        Files.write(upload, "x=1\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(CURLE_TFTP_PERM, curl("-T", upload.toString(), url("upload.cfg")));
        assertFalse(FILES.containsKey("upload.cfg"));
    }

    private String out() {
        return dir.resolve("out").toString();
    }

    private static byte[] put(String name, int size) {
        byte[] file = new byte[size];
        new Random(size).nextBytes(file);
        FILES.put(name, file);
        return file;
    }

    private static String url(String name) {
        return "tftp://127.0.0.1:" + server.address().getPort() + "/" + name;
    }

    /** Runs curl with the arguments; returns its exit code. */
    private int curl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "--max-time", "15"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("curl.log").toFile()).start();
        if (!process.waitFor(CURL_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("curl did not finish in " + CURL_SECONDS + " s: " + command);
        }
        return process.exitValue();
    }

    /** Skips the class where curl or its TFTP support is missing, or fails it under PEERLINE_REQUIRE_TOOLS=1 (CI). */
    private static void requireCurlWithTftp() {
        boolean present;
        try {
            Process process = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            present = process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0
                    && version.contains(" tftp");
        } catch (IOException e) {
            present = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            present = false;
        }
        if (!present && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail("curl with TFTP support is not installed (Debian package curl) but PEERLINE_REQUIRE_TOOLS=1");
        }
        Assumptions.assumeTrue(present, "curl with TFTP support is not on the PATH (Debian package curl): skipped");
    }
}
