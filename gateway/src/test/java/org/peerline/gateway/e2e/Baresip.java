package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A headless baresip phone (Debian baresip-core): registers one account through the gateway with digest
 * auth, answers calls by itself, sends a sine tone of its own frequency and records what it hears to a WAV
 * file (module sndfile). No sound card: the tone comes from ausine, playback goes to aubridge.
 */
final class Baresip implements AutoCloseable {
    final String user;
    final Path home;
    private final Process process;
    private final Path log;
    private final String netns;
    /** The UDP port of the phone's console (module cons, on loopback), which takes menu commands. */
    private final int consolePort;

    private Baresip(String user, Path home, Process process, Path log, String netns, int consolePort) {
        this.user = user;
        this.home = home;
        this.process = process;
        this.log = log;
        this.netns = netns;
        this.consolePort = consolePort;
    }

    /**
     * Starts a phone for {@code user} on {@code sipPort} (and sipPort+1, which baresip takes for TLS)
     * registered via the gateway at {@code gatewayPort}; {@code commands} run at start-up (e.g. a dial).
     */
    static Baresip start(Path dir, String user, String password, String domain, int gatewayPort, int sipPort,
                         int rtpBase, int toneHz, String... commands) throws IOException {
        return start(dir, user, password, domain, "udp", gatewayPort, sipPort, rtpBase, toneHz, commands);
    }

    /** As above, with the phone's SIP over {@code transport} (udp or tcp); the SIP trace goes to the output. */
    static Baresip start(Path dir, String user, String password, String domain, String transport, int gatewayPort,
                         int sipPort, int rtpBase, int toneHz, String... commands) throws IOException {
        return startIn(null, "127.0.0.1", dir, user, password, domain, transport, "127.0.0.1", gatewayPort, sipPort,
                rtpBase, toneHz, commands);
    }

    /**
     * A phone in network namespace {@code netns} (null: this one) on address {@code ip}, registered via the box
     * at {@code gatewayHost:gatewayPort}.
     */
    static Baresip startIn(String netns, String ip, Path dir, String user, String password, String domain,
                           String transport, String gatewayHost, int gatewayPort, int sipPort, int rtpBase, int toneHz,
                           String... commands) throws IOException {
        Path home = Files.createDirectories(dir.resolve("baresip-" + user));
        Path snd = Files.createDirectories(home.resolve("snd"));
        int consolePort = sipPort + 10;
        Files.writeString(home.resolve("config"), String.join("\n",
                "poll_method epoll",
                "net_interface " + ip,
                "sip_listen " + ip + ":" + sipPort,
                "audio_source ausine," + toneHz,
                "ausrc_srate 48000",
                "ausrc_channels 2",
                "audio_player aubridge,x",
                "audio_alert aubridge,x",
                "rtp_ports " + rtpBase + "-" + (rtpBase + 19),
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module ausine.so",
                "module aubridge.so",
                "module sndfile.so",
                "module_app account.so",
                "module_app menu.so",
                "module cons.so",
                "cons_listen 127.0.0.1:" + consolePort,
                "snd_path " + snd,
                ""), StandardCharsets.US_ASCII);
        Files.writeString(home.resolve("accounts"), "<sip:" + user + "@" + domain + ">;auth_user=" + user
                + ";auth_pass=" + password + ";outbound=\"sip:" + gatewayHost + ":" + gatewayPort + ";transport=" + transport + "\""
                + ";regint=300;audio_codecs=PCMU;answermode=auto\n", StandardCharsets.US_ASCII);
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(List.of("baresip", "-s", "-f", home.toString()));
        for (String c : commands) {
            cmd.add("-e");
            cmd.add(c);
        }
        Path log = home.resolve("baresip.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Baresip(user, home, p, log, netns, consolePort);
    }

    /** Sends a menu command (e.g. {@code /hold}, {@code /resume}) to the running phone through its console. */
    void command(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(List.of("bash", "-c", "printf '%s\\n' \"$1\" > /dev/udp/127.0.0.1/" + consolePort, "send", command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "cannot send " + command + " to " + user
                + "'s console: " + out);
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    /** Waits until the output contains {@code text}; false on timeout or if baresip exited. */
    boolean awaitOutput(String text, long millis) throws IOException, InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (output().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return output().contains(text);
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** The WAV file of what this phone heard in its last call (sndfile's "-dec" dump), or null. */
    Path heard() throws IOException {
        try (Stream<Path> s = Files.list(home.resolve("snd"))) {
            return s.filter(p -> p.getFileName().toString().endsWith("-dec.wav")).findFirst().orElse(null);
        }
    }

    /** Seconds of received audio recorded so far (8 kHz, 16-bit mono after the 44-byte header). */
    double heardSeconds() throws IOException {
        Path p = heard();
        return p == null ? 0 : Math.max(0, Files.size(p) - 44) / 16000.0;
    }

    /** SIGTERM: baresip hangs up its calls (BYE) and unregisters before it exits. */
    boolean stop(long millis) throws InterruptedException {
        process.destroy();
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** Asserts that {@code phone} heard a tone of {@code expectHz} (the other phone's) and not its own {@code ownHz}. */
    static void assertHeard(Baresip phone, int expectHz, int ownHz) throws Exception {
        Path wav = phone.heard();
        assertNotNull(wav, phone.user + " recorded nothing:\n" + phone.output());
        short[] s = Tone.samples(wav);
        assertTrue(s.length >= 8000 * 2, phone.user + " heard only " + s.length / 8000.0 + " s of audio");
        // skip the first half second (jitter buffer start-up), measure the rest
        short[] steady = java.util.Arrays.copyOfRange(s, 4000, s.length);
        double other = Tone.share(steady, 8000, expectHz);
        double own = Tone.share(steady, 8000, ownHz);
        System.out.printf("%s heard %.1f s: share of %d Hz %.3f, of its own %d Hz %.3f%n", phone.user,
                s.length / 8000.0, expectHz, other, ownHz, own);
        assertTrue(other > 0.2 && own < 0.05, phone.user + " should hear " + expectHz + " Hz: share of " + expectHz
                + " Hz = " + other + ", of its own " + ownHz + " Hz = " + own);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
