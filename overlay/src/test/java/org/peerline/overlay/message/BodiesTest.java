package org.peerline.overlay.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.peerline.overlay.api.PeerAddress;

/** Every body decodes back to what was encoded, at the byte offsets RFC 6940 gives, and refuses bad input. */
class BodiesTest {
    private static final StorageBodies.Models MODELS = Fixtures::model;

    @Test
    void chordUpdateIsUptimeTypeAndNodeIdListsWithByteLengths() throws Exception {
        var u = new ChordBodies.Update(3600, ChordBodies.UpdateType.NEIGHBORS, List.of(Fixtures.A), List.of(Fixtures.B),
                List.of());
        byte[] b = u.encode();
        assertEquals("00000e1002" + "0010" + Fixtures.A + "0010" + Fixtures.B, HexFormat.of().formatHex(b));
        assertEquals(u, ChordBodies.Update.decode(b));
        var full = new ChordBodies.Update(1, ChordBodies.UpdateType.FULL, List.of(), List.of(Fixtures.B),
                List.of(Fixtures.A, Fixtures.C));
        assertEquals(full, ChordBodies.Update.decode(full.encode()));
        assertEquals(5, new ChordBodies.Update(1, ChordBodies.UpdateType.PEER_READY, List.of(), List.of(), List.of())
                .encode().length);
        assertThrows(DecodeException.class, () -> ChordBodies.Update.decode(HexFormat.of().parseHex("0000000104")));
        assertThrows(DecodeException.class, () -> ChordBodies.Update.decode(HexFormat.of().parseHex("00000001020003aabbcc0000")));
    }

    @Test
    void routeQueryAndLeaveData() throws Exception {
        var q = new ChordBodies.RouteQueryReq(true, new Destination.Resource(Fixtures.RESOURCE));
        byte[] b = q.encode();
        assertEquals("01" + "0211" + "10" + HexFormat.of().formatHex(Fixtures.RESOURCE) + "0000", HexFormat.of().formatHex(b));
        assertEquals(q, ChordBodies.RouteQueryReq.decode(b));
        assertEquals(Fixtures.C, ChordBodies.RouteQueryAns.decode(Fixtures.C.toBytes()).nextPeer());
        assertThrows(DecodeException.class, () -> ChordBodies.RouteQueryAns.decode(new byte[15]));
        var leave = new ChordBodies.LeaveData(false, List.of(Fixtures.A));
        assertEquals(leave, ChordBodies.LeaveData.decode(leave.encode()));
    }

    @Test
    void attachCarriesHostCandidatesForTlsWithoutIce() throws Exception {
        var a = Fixtures.attach("passive", "192.0.2.10", false);
        var back = LinkBodies.Attach.decode(a.encode());
        assertEquals(a, back);
        assertEquals(new PeerAddress("192.0.2.10", 6084), back.candidates().get(0).address());
        assertEquals(LinkBodies.LINK_TLS_TCP_FH_NO_ICE, back.candidates().get(0).overlayLink());
        var v6 = Fixtures.attach("active", "2001:db8:0:0:0:0:0:7", true);
        assertEquals(v6, LinkBodies.Attach.decode(v6.encode()));
        byte[] bad = a.encode();
        bad[bad.length - 1] = 7; // send_update is a Boolean
        assertThrows(DecodeException.class, () -> LinkBodies.Attach.decode(bad));
    }

    @Test
    void appAttachCarriesTheApplicationBetweenPasswordAndRole() throws Exception {
        var a = new LinkBodies.AppAttach("ufrg".getBytes(), "passwordpasswordpassword".getBytes(), 5061, "passive",
                List.of(LinkBodies.Candidate.host(new PeerAddress("192.0.2.10", 5061))));
        byte[] b = a.encode();
        // ufrag<1>, password<1>, application uint16, role<1>, candidates<2>
        assertEquals("04" + HexFormat.of().formatHex("ufrg".getBytes()) + "18", HexFormat.of().formatHex(b, 0, 6));
        assertEquals("13c5" + "07" + HexFormat.of().formatHex("passive".getBytes()),
                HexFormat.of().formatHex(b, 30, 40));
        var back = LinkBodies.AppAttach.decode(b);
        assertEquals(a, back);
        assertEquals(5061, back.application());
        assertEquals(new PeerAddress("192.0.2.10", 5061), back.candidates().get(0).address());
        assertThrows(DecodeException.class, () -> LinkBodies.AppAttach.decode(java.util.Arrays.copyOf(b, b.length - 1)));
    }

    @Test
    void sipRegistrationIsAUriOrARouteThroughTheOverlay() throws Exception {
        var uri = SipRegistrationValue.ofUri("sip:192.0.2.1:5061;transport=tls");
        assertEquals(uri, SipRegistrationValue.decode(uri.encode()));
        var route = SipRegistrationValue.ofRoute(List.of(new Destination.Node(Fixtures.A)));
        byte[] b = route.encode();
        // type 2, length, contact_prefs<2> empty, destination_list<2> = one node destination (type 1, length 16)
        assertEquals("02" + "0016" + "0000" + "0012" + "0110" + Fixtures.A, HexFormat.of().formatHex(b));
        assertEquals(route, SipRegistrationValue.decode(b));
        assertEquals(Fixtures.A, org.peerline.overlay.usage.SipRegistration.routedBox(b));
        assertEquals(null, org.peerline.overlay.usage.SipRegistration.routedBox(uri.encode()));
        assertThrows(DecodeException.class, () -> SipRegistrationValue.decode(HexFormat.of().parseHex("0200040000" + "0000")));
        assertThrows(DecodeException.class, () -> SipRegistrationValue.decode(HexFormat.of().parseHex("03000100")));
    }

    @Test
    void probeRequestAndAnswer() throws Exception {
        var req = new LinkBodies.ProbeReq(List.of(LinkBodies.ProbeInfo.UPTIME, LinkBodies.ProbeInfo.NUM_RESOURCES));
        assertEquals("020302", HexFormat.of().formatHex(req.encode()));
        assertEquals(req, LinkBodies.ProbeReq.decode(req.encode()));
        var ans = new LinkBodies.ProbeAns(Map.of(LinkBodies.ProbeInfo.RESPONSIBLE_SET, 1_000_000L));
        assertEquals("0006" + "0104000f4240", HexFormat.of().formatHex(ans.encode()));
        assertEquals(ans, LinkBodies.ProbeAns.decode(ans.encode()));
    }

    @Test
    void storeAndFetchInAllThreeDataModels() throws Exception {
        for (ReloadMessage m : Fixtures.all()) {
            byte[] body = m.contents().body();
            switch (m.contents().messageCode()) {
                case STORE_REQ -> {
                    var s = StorageBodies.StoreReq.decode(body, MODELS);
                    assertArrayEquals(body, s.encode());
                    if (!m.contents().extensions().isEmpty()) {
                        // the SIP-REGISTRATION store: one dictionary entry keyed by the box's Node-ID
                        // (or, from a box behind NAT, a route through the overlay to that box)
                        String v = org.peerline.overlay.usage.SipRegistration.describe(
                                s.kinds().get(0).values().get(0).value().data());
                        assertTrue(v.equals("sip:alice@192.0.2.1:5061;transport=tls") || v.equals("route via " + Fixtures.A), v);
                        continue;
                    }
                    assertEquals(3, s.kinds().size());
                    assertArrayEquals(Fixtures.VALUE, s.kinds().get(1).values().get(0).value().data());
                    assertArrayEquals(Fixtures.A.toBytes(), s.kinds().get(1).values().get(0).value().key());
                    assertEquals(0xffffffffL, s.kinds().get(2).values().get(0).value().index());
                }
                case STORE_ANS -> assertArrayEquals(body, StorageBodies.StoreAns.decode(body).encode());
                case FETCH_REQ -> {
                    var f = StorageBodies.FetchReq.decode(body, MODELS);
                    assertArrayEquals(body, f.encode());
                    assertEquals(3, f.specifiers().size());
                }
                case FETCH_ANS -> assertArrayEquals(body, StorageBodies.FetchAns.decode(body, MODELS).encode());
                default -> {
                }
            }
        }
    }

    @Test
    void storedDataIsLengthTimeLifetimeValueSignatureAndSignsResourceKindTimeValueIdentity() throws Exception {
        var sd = Fixtures.stored(StorageBodies.Value.single(new byte[] {1, 2}));
        WireWriter w = new WireWriter();
        sd.write(w);
        byte[] bytes = w.toByteArray();
        String hex = HexFormat.of().formatHex(bytes);
        // length (of what follows), storage_time, lifetime, exists, value<0..2^32-1>, then the signature
        assertEquals(bytes.length - 4, java.nio.ByteBuffer.wrap(bytes).getInt());
        assertEquals("000001a229f12800" + "00000e10" + "01" + "00000002" + "0102", hex.substring(8, 8 + 38));
        byte[] input = StorageBodies.StoredData.signatureInput(Fixtures.RESOURCE, 1, 5,
                StorageBodies.Value.single(new byte[] {9}), SecurityBlock.SignerIdentity.NONE);
        assertEquals(HexFormat.of().formatHex(Fixtures.RESOURCE) + "00000001" + "0000000000000005" + "01" + "00000001" + "09"
                + "030000", HexFormat.of().formatHex(input));
    }

    @Test
    void anUnknownKindIsReportedAsSuch() {
        var req = new StorageBodies.StoreReq(Fixtures.RESOURCE, 0, List.of(new StorageBodies.KindData(99, 0,
                List.of(Fixtures.stored(StorageBodies.Value.single(new byte[1]))))));
        var e = assertThrows(StorageBodies.UnknownKindException.class,
                () -> StorageBodies.StoreReq.decode(req.encode(), MODELS));
        assertEquals(99, e.kind);
    }
}
