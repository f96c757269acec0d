package org.peerline.overlay.message;

import java.util.List;
import org.peerline.overlay.api.NodeId;

/** Messages of every kind the codec knows, with valid bodies, for round-trip and dissector tests. */
final class Fixtures {
    static final long OVERLAY = ForwardingHeader.overlayHash("peerline.test");
    static final NodeId A = NodeId.parse("0123456789abcdef0123456789abcdef");
    static final NodeId B = NodeId.parse("fedcba9876543210fedcba9876543210");

    private Fixtures() {
    }

    static ReloadMessage message(MessageCode code, byte[] body, long txid) {
        ForwardingHeader h = new ForwardingHeader(OVERLAY, 1, ForwardingHeader.DEFAULT_TTL,
                ForwardingHeader.UNFRAGMENTED, txid, 0, List.of(new Destination.Node(A)),
                List.of(new Destination.Node(B)), List.of());
        // signed as a node signs (RFC 6940 §6.3.4): identity = SHA-256 of the signer's certificate
        SecurityBlock.SignerIdentity signer = new SecurityBlock.SignerIdentity(SecurityBlock.IDENTITY_CERT_HASH,
                SecurityBlock.HASH_SHA256, new byte[32]);
        return new ReloadMessage(h, new MessageContents(code, body), new SecurityBlock(List.of(),
                new SecurityBlock.Signature(SecurityBlock.HASH_SHA256, SecurityBlock.SIG_ECDSA, signer, new byte[70])));
    }

    /** One request and its answer for each body the codec encodes. */
    static List<ReloadMessage> all() {
        return List.of(
                message(MessageCode.PING_REQ, new Bodies.PingReq(new byte[0]).encode(), 1),
                message(MessageCode.PING_ANS, new Bodies.PingAns(0x1122334455667788L, 1_796_000_000_000L).encode(), 1),
                message(MessageCode.JOIN_REQ, new Bodies.JoinReq(A, new byte[0]).encode(), 2),
                message(MessageCode.JOIN_ANS, new Bodies.JoinAns(new byte[0]).encode(), 2),
                message(MessageCode.LEAVE_REQ, new Bodies.LeaveReq(A, new byte[0]).encode(), 3),
                message(MessageCode.LEAVE_ANS, new byte[0], 3),
                message(MessageCode.ERROR, new Bodies.ErrorResponse(ErrorCode.NOT_FOUND,
                        "no such resource".getBytes(java.nio.charset.StandardCharsets.UTF_8)).encode(), 4),
                message(MessageCode.UPDATE_REQ, new ChordBodies.Update(3600, ChordBodies.UpdateType.FULL,
                        List.of(A), List.of(B, C), List.of(B, C)).encode(), 5),
                message(MessageCode.UPDATE_ANS, new byte[0], 5),
                message(MessageCode.UPDATE_REQ, new ChordBodies.Update(7, ChordBodies.UpdateType.NEIGHBORS,
                        List.of(A, C), List.of(B), List.of()).encode(), 6),
                message(MessageCode.UPDATE_REQ, new ChordBodies.Update(1, ChordBodies.UpdateType.PEER_READY,
                        List.of(), List.of(), List.of()).encode(), 7),
                message(MessageCode.ROUTE_QUERY_REQ, new ChordBodies.RouteQueryReq(true,
                        new Destination.Node(C)).encode(), 8),
                message(MessageCode.ROUTE_QUERY_ANS, new ChordBodies.RouteQueryAns(B).encode(), 8),
                message(MessageCode.LEAVE_REQ, new Bodies.LeaveReq(A, new ChordBodies.LeaveData(true,
                        List.of(B, C)).encode()).encode(), 9),
                message(MessageCode.ATTACH_REQ, attach("passive", "192.0.2.10", false).encode(), 10),
                message(MessageCode.ATTACH_ANS, attach("active", "2001:db8:0:0:0:0:0:7", true).encode(), 10),
                message(MessageCode.PROBE_REQ, new LinkBodies.ProbeReq(List.of(LinkBodies.ProbeInfo.RESPONSIBLE_SET,
                        LinkBodies.ProbeInfo.NUM_RESOURCES, LinkBodies.ProbeInfo.UPTIME)).encode(), 11),
                message(MessageCode.PROBE_ANS, new LinkBodies.ProbeAns(java.util.Map.of(
                        LinkBodies.ProbeInfo.UPTIME, 86400L)).encode(), 11),
                message(MessageCode.STORE_REQ, new StorageBodies.StoreReq(RESOURCE, 0, List.of(
                        new StorageBodies.KindData(KIND_SINGLE, 3, List.of(stored(StorageBodies.Value.single(VALUE)))),
                        new StorageBodies.KindData(KIND_DICT, 0, List.of(stored(StorageBodies.Value.dictionaryEntry(
                                A.toBytes(), VALUE)))),
                        new StorageBodies.KindData(KIND_ARRAY, 0, List.of(stored(StorageBodies.Value.arrayEntry(
                                0xffffffffL, VALUE)))))).encode(), 12),
                message(MessageCode.STORE_ANS, new StorageBodies.StoreAns(List.of(
                        new StorageBodies.KindResponse(KIND_SINGLE, 4, List.of(B, C)))).encode(), 12),
                message(MessageCode.FETCH_REQ, new StorageBodies.FetchReq(RESOURCE, List.of(
                        StorageBodies.Specifier.all(KIND_SINGLE, StorageBodies.DataModel.SINGLE),
                        new StorageBodies.Specifier(KIND_DICT, 0, StorageBodies.DataModel.DICTIONARY, List.of(),
                                List.of(A.toBytes())),
                        StorageBodies.Specifier.all(KIND_ARRAY, StorageBodies.DataModel.ARRAY))).encode(), 13),
                sipRegistrationStore(14),
                message(MessageCode.FETCH_ANS, new StorageBodies.FetchAns(List.of(
                        new StorageBodies.KindData(KIND_SINGLE, 4, List.of(stored(StorageBodies.Value.single(VALUE)))),
                        new StorageBodies.KindData(KIND_DICT, 1, List.of()))).encode(), 13),
                message(MessageCode.APP_ATTACH_REQ, new LinkBodies.AppAttach("ufrg".getBytes(),
                        "passwordpasswordpassword".getBytes(), 5061, "passive", List.of(LinkBodies.Candidate.host(
                                new org.peerline.overlay.api.PeerAddress("192.0.2.10", 5061)))).encode(), 15),
                message(MessageCode.APP_ATTACH_ANS, new LinkBodies.AppAttach("ufrg".getBytes(),
                        "passwordpasswordpassword".getBytes(), 5061, "active", List.of(LinkBodies.Candidate.host(
                                new org.peerline.overlay.api.PeerAddress("192.0.2.20", 5061)))).encode(), 15),
                sipRegistrationStore(16, org.peerline.overlay.usage.SipRegistration.routeEntry(A)));
    }

    /** A SIP-REGISTRATION store (RFC 7904) as a box sends it: the AOR named in an exp-ext extension. */
    static ReloadMessage sipRegistrationStore(long txid) {
        return sipRegistrationStore(txid,
                org.peerline.overlay.usage.SipRegistration.entry(A, "sip:alice@192.0.2.1:5061;transport=tls"));
    }

    /** The same with {@code entry} as the value (a URI or a route registration). */
    static ReloadMessage sipRegistrationStore(long txid, StorageBodies.Value entry) {
        String aor = "sip:alice@site-a.example";
        byte[] body = new StorageBodies.StoreReq(org.peerline.overlay.usage.SipRegistration.resourceId(aor), 0, List.of(
                new StorageBodies.KindData(org.peerline.overlay.usage.SipRegistration.KIND, 0, List.of(stored(entry)))))
                .encode();
        ReloadMessage plain = message(MessageCode.STORE_REQ, body, txid);
        return new ReloadMessage(plain.header(), new MessageContents(MessageCode.STORE_REQ.code, body,
                List.of(MessageContents.resourceNameExtension("alice@site-a.example"))), plain.security());
    }

    static final NodeId C = NodeId.parse("80000000000000000000000000000001");
    static final byte[] RESOURCE = NodeId.parse("00112233445566778899aabbccddeeff").toBytes();
    static final byte[] VALUE = "sip:alice@site-a.example".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    static final long KIND_SINGLE = 0xf0000001L;
    static final long KIND_DICT = 1;
    static final long KIND_ARRAY = 0xf0000002L;

    /** The data model of each kind the fixtures use. */
    static StorageBodies.DataModel model(long kind) {
        return kind == KIND_SINGLE ? StorageBodies.DataModel.SINGLE : kind == KIND_DICT
                ? StorageBodies.DataModel.DICTIONARY : kind == KIND_ARRAY ? StorageBodies.DataModel.ARRAY : null;
    }

    static StorageBodies.StoredData stored(StorageBodies.Value v) {
        SecurityBlock.SignerIdentity signer = new SecurityBlock.SignerIdentity(SecurityBlock.IDENTITY_CERT_HASH,
                SecurityBlock.HASH_SHA256, new byte[32]);
        return new StorageBodies.StoredData(1_796_000_000_000L, 3600, v,
                new SecurityBlock.Signature(SecurityBlock.HASH_SHA256, SecurityBlock.SIG_ECDSA, signer, new byte[70]));
    }

    static LinkBodies.Attach attach(String role, String ip, boolean sendUpdate) {
        return new LinkBodies.Attach("ufrag1".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "secret-password".getBytes(java.nio.charset.StandardCharsets.US_ASCII), role,
                List.of(LinkBodies.Candidate.host(new org.peerline.overlay.api.PeerAddress(ip, 6084))), sendUpdate);
    }
}
