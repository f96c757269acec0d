package org.peerline.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every RFC 4475 torture message (copied byte-exact from the RFC's archive into test resources, with
 * INDEX.tsv saying what each expects) is sent to a running gateway over UDP and over TCP; the answer
 * must be one the index allows, and the gateway must still answer an OPTIONS afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class TortureCorpusIT {
    @TempDir
    static Path dir;
    GatewayFixture gw;
    AnswerCatcher catcher;

    @BeforeAll
    void start() throws Exception {
        // the corpus's Vias name ports 5060 and 5050 without rport: answers go to those ports
        catcher = new AnswerCatcher(5060, 5050);
        gw = GatewayFixture.start(dir, "  security: { rate-limit: 0, auth-failures: 0 }\n");
    }

    @AfterAll
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (catcher != null) {
            catcher.close();
        }
    }

    Stream<Arguments> corpus() throws IOException {
        List<Arguments> out = new ArrayList<>();
        String index = resource("INDEX.tsv");
        for (String line : index.split("\n")) {
            String[] f = line.split("\t");
            if (f[0].equals("file") || f.length < 8) {
                continue;
            }
            out.add(Arguments.of(f[0], f[6], "udp"));
            out.add(Arguments.of(f[0], f[6], "tcp"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} over {2} expects {1}")
    @MethodSource("corpus")
    void answersAsTheRfcExpects(String file, String accept, String transport) throws Exception {
        byte[] msg = bytes(file);
        AnswerCatcher.Expect expect = accept.contains("none") || accept.equals("any")
                ? AnswerCatcher.Expect.MAYBE_NOTHING : AnswerCatcher.Expect.ANSWER;
        List<Integer> codes = transport.equals("udp") ? catcher.udp(gw.sipPort, msg, expect)
                : catcher.tcp(gw.sipPort, msg, expect);
        assertTrue(allowed(accept, codes), file + " over " + transport + ": got " + codes + ", allowed " + accept);
        assertTrue(SipWire.alive(gw.sipPort), "gateway stopped answering after " + file + " over " + transport);
    }

    /** Applies INDEX.tsv's accept column: alternatives separated by |. */
    static boolean allowed(String accept, List<Integer> codes) {
        Integer first = codes.isEmpty() ? null : codes.get(0);
        for (String alt : accept.split("\\|")) {
            boolean ok = switch (alt) {
                case "none" -> first == null;
                case "any" -> true;
                case "liberal" -> first != null && first != 400;
                case "!400" -> first != null && first != 400;
                case "4xx" -> first != null && first / 100 == 4;
                case "2xx" -> first != null && first / 100 == 2;
                default -> first != null && first == Integer.parseInt(alt);
            };
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(String file) throws IOException {
        try (InputStream in = TortureCorpusIT.class.getResourceAsStream("/rfc4475/" + file)) {
            if (in == null) {
                throw new IOException("missing test resource rfc4475/" + file);
            }
            return in.readAllBytes();
        }
    }

    private static String resource(String file) throws IOException {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }
}
