package org.peerline.overlay.message;

import java.util.ArrayList;
import java.util.List;
import org.peerline.overlay.api.NodeId;

/**
 * The CHORD-RELOAD topology's message bodies (RFC 6940 §10): Update, RouteQuery and Leave data. Each
 * is checked by round trip and by Wireshark's RELOAD dissector.
 */
public final class ChordBodies {
    private ChordBodies() {
    }

    /** {@code ChordUpdateType} (§10.7). */
    public enum UpdateType {
        PEER_READY(1), NEIGHBORS(2), FULL(3);

        public final int code;

        UpdateType(int code) {
            this.code = code;
        }
    }

    /**
     * {@code ChordUpdate}, the body of an UpdateReq (§10.7): the sender's uptime in seconds, and its neighbour
     * table ({@code NEIGHBORS}) or neighbour and finger tables ({@code FULL}); nothing for {@code PEER_READY}.
     */
    public record Update(long uptimeSeconds, UpdateType type, List<NodeId> predecessors, List<NodeId> successors,
                         List<NodeId> fingers) {
        public Update {
            predecessors = List.copyOf(predecessors);
            successors = List.copyOf(successors);
            fingers = List.copyOf(fingers);
            if (type == UpdateType.PEER_READY && !(predecessors.isEmpty() && successors.isEmpty())
                    || type != UpdateType.FULL && !fingers.isEmpty()) {
                throw new IllegalArgumentException(type + " update cannot carry those lists");
            }
        }

        public byte[] encode() {
            WireWriter w = new WireWriter().u32(uptimeSeconds).u8(type.code);
            if (type != UpdateType.PEER_READY) {
                w.opaque(2, ids(predecessors)).opaque(2, ids(successors));
            }
            if (type == UpdateType.FULL) {
                w.opaque(2, ids(fingers));
            }
            return w.toByteArray();
        }

        public static Update decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            long uptime = r.u32("uptime");
            int t = r.u8("ChordUpdateType");
            UpdateType type = switch (t) {
                case 1 -> UpdateType.PEER_READY;
                case 2 -> UpdateType.NEIGHBORS;
                case 3 -> UpdateType.FULL;
                default -> throw new DecodeException("unknown ChordUpdateType " + t);
            };
            List<NodeId> preds = List.of();
            List<NodeId> succs = List.of();
            List<NodeId> fingers = List.of();
            if (type != UpdateType.PEER_READY) {
                preds = ids(r.opaque(2, "predecessors"), "predecessors");
                succs = ids(r.opaque(2, "successors"), "successors");
            }
            if (type == UpdateType.FULL) {
                fingers = ids(r.opaque(2, "fingers"), "fingers");
            }
            r.expectEnd("ChordUpdate");
            return new Update(uptime, type, preds, succs, fingers);
        }
    }

    /**
     * RouteQueryReq (§6.4.2.4): where would the receiver route a message for {@code destination}; with
     * {@code sendUpdate}, the receiver also sends its full routing table in an Update. No overlay-specific
     * data for CHORD-RELOAD.
     */
    public record RouteQueryReq(boolean sendUpdate, Destination destination) {
        public byte[] encode() {
            WireWriter w = new WireWriter().u8(sendUpdate ? 1 : 0);
            Destination.write(w, destination);
            return w.opaque(2, new byte[0]).toByteArray();
        }

        public static RouteQueryReq decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            boolean send = bool(r, "send_update");
            Destination d = Destination.read(r);
            r.opaque(2, "overlay_specific_data");
            r.expectEnd("RouteQueryReq");
            return new RouteQueryReq(send, d);
        }
    }

    /** ChordRouteQueryAns (§10.8): the next peer, 16 bytes with no length prefix. */
    public record RouteQueryAns(NodeId nextPeer) {
        public byte[] encode() {
            return nextPeer.toBytes();
        }

        public static RouteQueryAns decode(byte[] b) throws DecodeException {
            if (b.length != NodeId.BYTES) {
                throw new DecodeException("ChordRouteQueryAns of " + b.length + " bytes, expected 16");
            }
            return new RouteQueryAns(NodeId.of(b, 0));
        }
    }

    /**
     * ChordLeaveData (§10.9), the overlay-specific data of a LeaveReq. Sent by a successor of the recipient
     * ({@code fromSuccessor}, type from_succ), it carries the leaving peer's successors; sent by a predecessor
     * (from_pred), its predecessors: either way the peers that replace it in the recipient's neighbour set.
     */
    public record LeaveData(boolean fromSuccessor, List<NodeId> peers) {
        public LeaveData {
            peers = List.copyOf(peers);
        }

        public byte[] encode() {
            return new WireWriter().u8(fromSuccessor ? 1 : 2).opaque(2, ids(peers)).toByteArray();
        }

        public static LeaveData decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            int t = r.u8("ChordLeaveType");
            if (t != 1 && t != 2) {
                throw new DecodeException("unknown ChordLeaveType " + t);
            }
            LeaveData d = new LeaveData(t == 1, ids(r.opaque(2, "peers"), "peers"));
            r.expectEnd("ChordLeaveData");
            return d;
        }
    }

    static boolean bool(WireReader r, String what) throws DecodeException {
        int v = r.u8(what);
        if (v > 1) {
            throw new DecodeException(what + " is not a Boolean: " + v);
        }
        return v == 1;
    }

    static byte[] ids(List<NodeId> ids) {
        WireWriter w = new WireWriter();
        for (NodeId id : ids) {
            w.bytes(id.toBytes());
        }
        return w.toByteArray();
    }

    static List<NodeId> ids(byte[] b, String what) throws DecodeException {
        if (b.length % NodeId.BYTES != 0) {
            throw new DecodeException(what + ": " + b.length + " bytes is not a whole number of Node-IDs");
        }
        List<NodeId> out = new ArrayList<>(b.length / NodeId.BYTES);
        for (int i = 0; i < b.length; i += NodeId.BYTES) {
            out.add(NodeId.of(b, i));
        }
        return out;
    }
}
