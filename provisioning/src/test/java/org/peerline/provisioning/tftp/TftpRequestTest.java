package org.peerline.provisioning.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request parsing, option negotiation and netascii, without sockets. */
class TftpRequestTest {
    @Test
    void parsesNameModeAndOptions() throws RequestRefused {
        Request request = parse(1, "//phones/a.cfg", "Octet", "BlkSize", "1024", "blksize", "99", "tsize", "0", "odd");
        assertEquals("/phones/a.cfg", request.fileName());
        assertEquals("Octet", request.mode());
        assertEquals(Map.of("blksize", "1024", "tsize", "0"), request.options());
    }

    @Test
    void acceptsUtf8NamesAndRejectsInvalidOnes() throws RequestRefused {
        assertEquals("téléphone.cfg", parse(1, "téléphone.cfg", "octet").fileName());
        byte[] invalid = {0, 1, (byte) 0xC3, 0, 'o', 'c', 't', 'e', 't', 0};
        assertEquals(TftpError.ILLEGAL_OPERATION,
                assertThrows(RequestRefused.class, () -> Request.parse(invalid, invalid.length)).error());
    }

    @Test
    void acceptsNamesUpTo255Bytes() throws RequestRefused {
        assertEquals(255, parse(1, "n".repeat(255), "octet").fileName().length());
        assertThrows(RequestRefused.class, () -> parse(1, "n".repeat(256), "octet"));
    }

    @Test
    void negotiatesWithinTheRfcRanges() throws RequestRefused {
        assertEquals(new Negotiated(512, 1, false), Negotiated.of(Map.of()));
        assertEquals(new Negotiated(8, 255, true), Negotiated.of(Map.of("blksize", "8", "timeout", "255", "tsize",
                "0")));
        assertEquals(1428, Negotiated.of(Map.of("blksize", "65464")).blockSize());
        assertEquals(TftpError.OPTION_REFUSED,
                assertThrows(RequestRefused.class, () -> Negotiated.of(Map.of("timeout", "1.5"))).error());
        assertEquals(Map.of(), Negotiated.of(Map.of("x", "y")).acknowledged(Map.of("x", "y"), 10));
    }

    @Test
    void encodesNetascii() {
        assertArrayEquals(new byte[] {'a', '\r', '\n', 'b', '\r', 0, 'c', '\r', 0, '\r', '\n'},
                Netascii.encode("a\nb\rc\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new byte[0], Netascii.encode(new byte[0]));
    }

    private static Request parse(int opcode, String... fields) throws RequestRefused {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(opcode);
        for (String field : fields) {
            out.writeBytes(field.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        byte[] packet = out.toByteArray();
        return Request.parse(packet, packet.length);
    }
}
