package org.peerline.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamFramerTest {
    private final List<String> messages = new ArrayList<>();
    private final List<String> callIds = new ArrayList<>();
    private int pings;
    private final StreamFramer.Sink sink = new StreamFramer.Sink() {
        @Override
        public void message(byte[] bytes, String callId) {
            messages.add(new String(bytes, StandardCharsets.ISO_8859_1));
            callIds.add(callId);
        }

        @Override
        public void ping() {
            pings++;
        }
    };
    private final StreamFramer framer = new StreamFramer(4096);

    private void feed(String s) throws StreamFramer.FramingException {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        framer.feed(b, 0, b.length, sink);
    }

    private static String msg(String contentLengthHeader, String body) {
        return "MESSAGE sip:bob@site-a.example SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK1\r\n"
                + "i: abc@10.0.0.1\r\nCSeq: 1 MESSAGE\r\n" + contentLengthHeader + "\r\n\r\n" + body;
    }

    @Test
    void framesByCompactContentLengthAndFindsCompactCallId() throws Exception {
        String m = msg("l: 5", "hello");
        feed(m + m);
        assertEquals(List.of(m, m), messages);
        assertEquals("abc@10.0.0.1", callIds.get(0));
    }

    @Test
    void matchesHeaderNamesCaseInsensitivelyWithSpaceBeforeColon() throws Exception {
        String m = msg("CONTENT-length   :  3", "abc");
        feed(m + "X");
        assertEquals(List.of(m), messages);
        assertEquals(1, framer.pending());
    }

    @Test
    void bodyMayHoldNulAndBareCr() throws Exception {
        String body = "a\0b\rc\r\n\r\nd";
        String m = msg("Content-Length: " + body.length(), body);
        feed(m);
        assertEquals(List.of(m), messages);
    }

    @Test
    void waitsForAMessageSplitAnywhere() throws Exception {
        String m = msg("Content-Length: 4", "body");
        for (int i = 0; i < m.length(); i++) {
            feed(m.substring(i, i + 1));
        }
        assertEquals(List.of(m), messages);
        assertEquals(0, framer.pending());
    }

    @Test
    void doubleCrlfBetweenMessagesIsAPingAndSingleCrlfIsIgnored() throws Exception {
        String m = msg("Content-Length: 0", "");
        feed("\r\n\r\n");
        feed("\r\n");
        feed(m);
        feed("\r");
        feed("\n\r\n");
        assertEquals(2, pings);
        assertEquals(List.of(m), messages);
    }

    @Test
    void messageWithoutContentLengthHasNoBody() throws Exception {
        String head = "INVITE sip:bob@site-a.example SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1\r\nCall-ID: x\r\n\r\n";
        feed(head);
        assertEquals(List.of(head), messages);
    }

    @Test
    void refusesNegativeMalformedConflictingAndOversizedLengths() {
        for (String cl : List.of("Content-Length: -999", "Content-Length: 12abc", "Content-Length:",
                "Content-Length: 99999999999")) {
            StreamFramer.FramingException e = assertThrows(StreamFramer.FramingException.class,
                    () -> feed(msg(cl, "")), cl);
            assertTrue(e.head.startsWith("MESSAGE sip:bob"), e.head);
        }
        assertThrows(StreamFramer.FramingException.class, () -> feed(msg("Content-Length: 5\r\nl: 4", "hello")));
        assertThrows(StreamFramer.FramingException.class, () -> feed(msg("Content-Length: 5000", "")));
    }

    @Test
    void refusesAnEndlessHeaderSection() {
        StringBuilder sb = new StringBuilder("OPTIONS sip:x SIP/2.0\r\n");
        while (sb.length() < 5000) {
            sb.append("X-Pad: 0123456789012345678901234567890123456789\r\n");
        }
        assertThrows(StreamFramer.FramingException.class, () -> feed(sb.toString()));
    }

    @Test
    void keepsOctetsExactly() throws Exception {
        byte[] m = msg("Content-Length: 2", "\u00ff\u0001").getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> got = new ArrayList<>();
        framer.feed(m, 0, m.length, new StreamFramer.Sink() {
            @Override
            public void message(byte[] bytes, String callId) {
                got.add(bytes);
            }

            @Override
            public void ping() {
            }
        });
        assertArrayEquals(m, got.get(0));
    }
}
