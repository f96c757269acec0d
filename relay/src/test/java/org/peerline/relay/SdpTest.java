package org.peerline.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading SDP with restcomm's parser and pointing it at the relay without touching anything else. */
class SdpTest {
    private static final String OFFER = String.join("\r\n",
            "v=0",
            "o=alice 53655765 2353687637 IN IP4 10.0.0.5",
            "s=-",
            "c=IN IP4 10.0.0.5",
            "t=0 0",
            "m=audio 4000 RTP/SAVP 0 8 101",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-16",
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
            "a=rtcp:4001",
            "a=sendonly",
            "a=x-unknown:kept as is",
            "m=video 5000 RTP/AVP 96",
            "c=IN IP4 10.0.0.6",
            "a=rtpmap:96 H264/90000",
            "a=rtcp-mux",
            "") ;

    @Test
    void readsEachStreamsAddressesAndDirection() {
        Sdp sdp = Sdp.parse(OFFER);
        assertEquals(2, sdp.media().size());
        Sdp.Media audio = sdp.media().get(0);
        assertEquals("audio", audio.type());
        assertEquals("10.0.0.5", audio.rtp().getHostString());
        assertEquals(4000, audio.rtp().getPort());
        assertEquals(4001, audio.rtcp().getPort());
        assertFalse(audio.rtcpMux());
        assertEquals("sendonly", audio.direction(), "on hold");
        Sdp.Media video = sdp.media().get(1);
        assertEquals("10.0.0.6", video.rtp().getHostString(), "the stream's own c= wins over the session's");
        assertTrue(video.rtcpMux());
        assertEquals(video.rtp(), video.rtcp());
        assertEquals("sendrecv", video.direction());
    }

    @Test
    void rewritesOnlyAddressesAndPorts() {
        String out = Sdp.parse(OFFER).rewrite("192.0.2.1", List.of(30000, 30004));
        String[] before = OFFER.split("\r\n");
        String[] after = out.split("\r\n");
        assertEquals(before.length, after.length);
        assertTrue(out.endsWith("\r\n"), "line endings kept");
        for (int i = 0; i < before.length; i++) {
            String expected = switch (before[i]) {
                case "c=IN IP4 10.0.0.5", "c=IN IP4 10.0.0.6" -> "c=IN IP4 192.0.2.1";
                case "m=audio 4000 RTP/SAVP 0 8 101" -> "m=audio 30000 RTP/SAVP 0 8 101";
                case "a=rtcp:4001" -> "a=rtcp:30001";
                case "m=video 5000 RTP/AVP 96" -> "m=video 30004 RTP/AVP 96";
                default -> before[i]; // codecs, fmtp, the SDES key, unknown attributes, the origin: untouched
            };
            assertEquals(expected, after[i], "line " + (i + 1));
        }
        Sdp again = Sdp.parse(out);
        assertEquals(30000, again.media().get(0).rtp().getPort());
        assertEquals("192.0.2.1", again.media().get(1).rtp().getHostString());
    }

    @Test
    void keepsARefusedStreamRefusedAndHandlesTwoStreamsOfOneType() {
        String sdp = "v=0\no=- 1 1 IN IP4 10.0.0.5\ns=-\nc=IN IP4 10.0.0.5\nt=0 0\n"
                + "m=audio 4000 RTP/AVP 0\na=rtcp:4005 IN IP4 10.0.0.7\nm=audio 0 RTP/AVP 0\nm=audio 4010 RTP/AVP 8\n";
        Sdp parsed = Sdp.parse(sdp);
        assertEquals(3, parsed.media().size());
        assertEquals("10.0.0.7", parsed.media().get(0).rtcp().getHostString());
        assertEquals(4005, parsed.media().get(0).rtcp().getPort());
        assertFalse(parsed.media().get(1).active());
        String out = parsed.rewrite("192.0.2.1", List.of(30000, 30002, 30004));
        assertTrue(out.contains("\nm=audio 30000 RTP/AVP 0\na=rtcp:30001 IN IP4 192.0.2.1\nm=audio 0 RTP/AVP 0\n"
                + "m=audio 30004 RTP/AVP 8\n"), out);
        assertFalse(out.contains("\r"), "LF endings stay LF");
    }

    @Test
    void refusesWhatIsNotSdp() {
        assertThrows(IllegalArgumentException.class, () -> Sdp.parse("hello"));
        assertThrows(IllegalArgumentException.class, () -> Sdp.parse("v=0\r\nm=audio x RTP/AVP 0\r\n"));
        IllegalArgumentException noAddress = assertThrows(IllegalArgumentException.class,
                () -> Sdp.parse("v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"));
        assertTrue(noAddress.getMessage().contains("no c= address"), noAddress.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sdp.parse(OFFER).rewrite("192.0.2.1", List.of(30000)));
    }

    @Test
    void readsIceAttributesAndReplacesThemWithTheRelaysOwn() {
        String withIce = String.join("\r\n",
                "v=0",
                "o=box 1 1 IN IP4 192.168.3.2",
                "s=-",
                "c=IN IP4 192.168.3.2",
                "t=0 0",
                "a=ice-ufrag:sess",
                "a=ice-pwd:sessionpassword0123456789",
                "m=audio 30000 RTP/AVP 0",
                "a=candidate:1 1 UDP 2130706431 192.168.3.2 30000 typ host",
                "a=candidate:2 1 UDP 1694498815 10.78.0.3 30000 typ srflx raddr 192.168.3.2 rport 30000",
                "a=sendrecv",
                "m=video 30002 RTP/AVP 96",
                "a=ice-ufrag:vid1",
                "a=ice-pwd:videopassword0123456789ab",
                "a=candidate:1 1 UDP 2130706431 192.168.3.2 30002 typ host",
                "");
        Sdp sdp = Sdp.parse(withIce);
        assertEquals(new Sdp.Ice("sess", "sessionpassword0123456789", List.of(
                "a=candidate:1 1 UDP 2130706431 192.168.3.2 30000 typ host",
                "a=candidate:2 1 UDP 1694498815 10.78.0.3 30000 typ srflx raddr 192.168.3.2 rport 30000")), sdp.ice(0));
        assertEquals("vid1", sdp.ice(1).ufrag(), "media-level credentials win over the session's");
        assertEquals(1, sdp.ice(1).candidates().size());

        String out = sdp.rewrite("10.78.0.1", List.of(40000, 40002),
                List.of(List.of("a=ice-ufrag:mine", "a=ice-pwd:minepassword0123456789ab",
                        "a=candidate:1 1 UDP 1 10.78.0.1 40000 typ host"), List.of()), false);
        assertFalse(out.contains("sess") || out.contains("vid1") || out.contains("192.168.3.2 30000"), out);
        assertTrue(out.contains("m=audio 40000 RTP/AVP 0\r\na=sendrecv\r\na=ice-ufrag:mine\r\n"
                + "a=ice-pwd:minepassword0123456789ab\r\na=candidate:1 1 UDP 1 10.78.0.1 40000 typ host\r\nm=video 40002"), out);
        assertTrue(out.endsWith("a=rtpmap:96 H264/90000\r\n") || out.endsWith("RTP/AVP 96\r\n"), out);

        String kept = sdp.rewrite("10.78.0.1", List.of(40000, 40002), List.of(List.of("a=candidate:3 x"), List.of()), true);
        assertTrue(kept.contains("a=ice-ufrag:sess") && kept.contains("a=candidate:3 x\r\nm=video"), kept);
        assertEquals("mine", Sdp.parse(out).ice(0).ufrag(), "the relay's own lines read back");
    }
}
