package org.peerline.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DigestTest {
    /** The worked example of RFC 2617 §3.5. */
    @Test
    void computesRfc2617Example() {
        String ha1 = Digest.md5Hex("Mufasa:testrealm@host.com:Circle Of Life");
        String r = Digest.response(ha1, "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
                "0a4f113b", "auth");
        assertEquals("6629fae49393a05397450978507c4ef1", r);
    }

    @Test
    void comparesHexCaseInsensitively() {
        assertTrue(Digest.matches("6629fae49393a05397450978507c4ef1", "6629FAE49393A05397450978507C4EF1"));
        assertFalse(Digest.matches("6629fae49393a05397450978507c4ef1", "6629fae49393a05397450978507c4ef2"));
        assertFalse(Digest.matches("6629fae49393a05397450978507c4ef1", null));
    }
}
