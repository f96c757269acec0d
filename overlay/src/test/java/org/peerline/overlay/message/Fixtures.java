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
                        "no such resource".getBytes(java.nio.charset.StandardCharsets.UTF_8)).encode(), 4));
    }
}
