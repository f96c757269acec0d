package org.peerline.overlay.message;

import java.util.Arrays;
import java.util.HexFormat;
import org.peerline.overlay.api.NodeId;

/**
 * One entry of a RELOAD Via or Destination list (RFC 6940 §6.3.2.2): a node, a resource, an opaque id,
 * or a compressed opaque id (a uint16 whose first bit is set).
 */
public sealed interface Destination {
    /** {@code DestinationType} values. */
    int NODE = 1;
    int RESOURCE = 2;
    int OPAQUE_ID = 3;

    /** A node, by its 128-bit Node-ID. */
    record Node(NodeId id) implements Destination {
    }

    /** A resource, by its Resource-ID ({@code opaque ResourceId<0..2^8-1>}). */
    record Resource(byte[] id) implements Destination {
        public Resource {
            id = id.clone();
            if (id.length > 255) {
                throw new IllegalArgumentException("Resource-ID longer than 255 bytes: " + id.length);
            }
        }

        @Override
        public byte[] id() {
            return id.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Resource r && Arrays.equals(id, r.id);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(id);
        }

        @Override
        public String toString() {
            return "Resource[" + HexFormat.of().formatHex(id) + "]";
        }
    }

    /** An opaque id that only the node that made it can interpret (e.g. a connection of its own). */
    record Opaque(byte[] id) implements Destination {
        public Opaque {
            id = id.clone();
            if (id.length > 254) {
                throw new IllegalArgumentException("opaque id longer than 254 bytes: " + id.length);
            }
        }

        @Override
        public byte[] id() {
            return id.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opaque r && Arrays.equals(id, r.id);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(id);
        }

        @Override
        public String toString() {
            return "Opaque[" + HexFormat.of().formatHex(id) + "]";
        }
    }

    /** A compressed opaque id: 2 bytes, the first bit set (RFC 6940 §6.3.2.2). */
    record Compressed(int value) implements Destination {
        public Compressed {
            if (value < 0x8000 || value > 0xffff) {
                throw new IllegalArgumentException("a compressed id is 0x8000-0xffff, got " + value);
            }
        }
    }

    /** A {@code Destination destination_list<0..2^16-1>} as it is written inside other structures (RFC 7904's route). */
    static void writeList(WireWriter w, java.util.List<Destination> list) {
        WireWriter l = new WireWriter();
        list.forEach(d -> write(l, d));
        w.opaque(2, l.toByteArray());
    }

    static java.util.List<Destination> readList(WireReader r) throws DecodeException {
        WireReader l = new WireReader(r.opaque(2, "destination_list"));
        java.util.List<Destination> out = new java.util.ArrayList<>();
        while (l.remaining() > 0) {
            out.add(read(l));
        }
        return out;
    }

    static void write(WireWriter w, Destination d) {
        if (d instanceof Node n) {
            w.u8(NODE).u8(NodeId.BYTES).bytes(n.id().toBytes());
        } else if (d instanceof Resource r) {
            w.u8(RESOURCE).u8(1 + r.id.length).opaque(1, r.id);
        } else if (d instanceof Opaque o) {
            w.u8(OPAQUE_ID).u8(1 + o.id.length).opaque(1, o.id);
        } else if (d instanceof Compressed c) {
            w.u16(c.value());
        }
    }

    static Destination read(WireReader r) throws DecodeException {
        int type = r.u8("destination type");
        if ((type & 0x80) != 0) {
            return new Compressed(type << 8 | r.u8("compressed destination"));
        }
        int length = r.u8("destination length");
        WireReader data = r.sub(length, "destination data");
        Destination d = switch (type) {
            case NODE -> {
                if (length != NodeId.BYTES) {
                    throw new DecodeException("node destination of " + length + " bytes, expected " + NodeId.BYTES);
                }
                yield new Node(NodeId.of(data.bytes(NodeId.BYTES, "node id"), 0));
            }
            case RESOURCE -> new Resource(data.opaque(1, "resource id"));
            case OPAQUE_ID -> new Opaque(data.opaque(1, "opaque id"));
            default -> throw new DecodeException("unknown destination type " + type);
        };
        data.expectEnd("destination");
        return d;
    }
}
