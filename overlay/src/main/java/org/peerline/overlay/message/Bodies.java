package org.peerline.overlay.message;

import org.peerline.overlay.api.NodeId;

/**
 * Message bodies (RFC 6940 §6.4.2, §6.5), each with its exact encoding. More come with the node's
 * protocol logic; each is tested through Wireshark's RELOAD dissector as well as by round trip.
 */
public final class Bodies {
    private Bodies() {
    }

    /** PingReq (§6.5.3): padding only, to probe the path MTU. */
    public record PingReq(byte[] padding) {
        public byte[] encode() {
            return new WireWriter().opaque(2, padding).toByteArray();
        }

        public static PingReq decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            PingReq p = new PingReq(r.opaque(2, "padding"));
            r.expectEnd("PingReq");
            return p;
        }
    }

    /** PingAns (§6.5.3): a random response id and the responder's time in ms since the Unix epoch. */
    public record PingAns(long responseId, long time) {
        public byte[] encode() {
            return new WireWriter().u64(responseId).u64(time).toByteArray();
        }

        public static PingAns decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            PingAns p = new PingAns(r.u64("response_id"), r.u64("time"));
            r.expectEnd("PingAns");
            return p;
        }
    }

    /** JoinReq (§6.4.2.3): the joining peer and topology-specific data (none for CHORD-RELOAD). */
    public record JoinReq(NodeId joiningPeer, byte[] overlaySpecific) {
        public byte[] encode() {
            return new WireWriter().bytes(joiningPeer.toBytes()).opaque(2, overlaySpecific).toByteArray();
        }

        public static JoinReq decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            JoinReq j = new JoinReq(NodeId.of(r.bytes(NodeId.BYTES, "joining_peer_id"), 0),
                    r.opaque(2, "overlay_specific_data"));
            r.expectEnd("JoinReq");
            return j;
        }
    }

    /** JoinAns (§6.4.2.3): topology-specific data. */
    public record JoinAns(byte[] overlaySpecific) {
        public byte[] encode() {
            return new WireWriter().opaque(2, overlaySpecific).toByteArray();
        }

        public static JoinAns decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            JoinAns j = new JoinAns(r.opaque(2, "overlay_specific_data"));
            r.expectEnd("JoinAns");
            return j;
        }
    }

    /** LeaveReq (§6.4.2.4): the leaving peer and topology-specific data. LeaveAns is empty. */
    public record LeaveReq(NodeId leavingPeer, byte[] overlaySpecific) {
        public byte[] encode() {
            return new WireWriter().bytes(leavingPeer.toBytes()).opaque(2, overlaySpecific).toByteArray();
        }

        public static LeaveReq decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            LeaveReq l = new LeaveReq(NodeId.of(r.bytes(NodeId.BYTES, "leaving_peer_id"), 0),
                    r.opaque(2, "overlay_specific_data"));
            r.expectEnd("LeaveReq");
            return l;
        }
    }

    /** ErrorResponse (§6.3.3.1): an error code and free-form information. */
    public record ErrorResponse(ErrorCode code, byte[] info) {
        public byte[] encode() {
            return new WireWriter().u16(code.code).opaque(2, info).toByteArray();
        }

        public static ErrorResponse decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            int c = r.u16("error_code");
            ErrorCode code = ErrorCode.of(c);
            if (code == null) {
                throw new DecodeException("unknown error code " + c);
            }
            ErrorResponse e = new ErrorResponse(code, r.opaque(2, "error_info"));
            r.expectEnd("ErrorResponse");
            return e;
        }
    }
}
