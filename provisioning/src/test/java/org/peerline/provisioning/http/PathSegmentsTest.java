package org.peerline.provisioning.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PathSegmentsTest {
    @Test
    void shouldKeepPlusAndDecodeEscapes() throws HttpError {
        assertEquals("+1555", PathSegments.decode("+1555"));
        assertEquals("a/b c", PathSegments.decode("a%2Fb%20c"));
        assertEquals("caf\u00e9", PathSegments.decode("caf%C3%A9"));
    }

    @Test
    void shouldRejectBrokenEscapes() {
        assertEquals(400, assertThrows(HttpError.class, () -> PathSegments.decode("a%2")).status());
        assertEquals(400, assertThrows(HttpError.class, () -> PathSegments.decode("a%g0")).status());
        assertEquals(400, assertThrows(HttpError.class, () -> PathSegments.decode("%C3")).status());
    }

    @Test
    void shouldRoundTripEveryNameCharacter() throws HttpError {
        String name = "aZ09-_.!~*'()&=+$,;?/";
        String encoded = PathSegments.encode(name);

        assertEquals("aZ09-_.!~*'()&=+$,;%3F%2F", encoded);
        assertEquals(name, PathSegments.decode(encoded));
    }

    @Test
    void shouldCompareTokensExactly() throws HttpError {
        BearerAuth auth = new BearerAuth("abc");
        auth.check("Bearer abc");
        auth.check("bearer  abc ");
        assertEquals(401, assertThrows(HttpError.class, () -> auth.check("Bearer abcd")).status());
        assertEquals(401, assertThrows(HttpError.class, () -> auth.check("Bearer")).status());
        assertEquals(401, assertThrows(HttpError.class, () -> auth.check(null)).status());
    }
}
