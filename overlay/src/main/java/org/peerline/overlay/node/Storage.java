package org.peerline.overlay.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.ErrorCode;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.message.StorageBodies.DataModel;
import org.peerline.overlay.message.StorageBodies.KindData;
import org.peerline.overlay.message.StorageBodies.StoredData;

/**
 * What a peer stores for the overlay (RFC 6940 §7): per resource and kind, a generation counter and the
 * stored values, each kept until its lifetime runs out. A newer storage time replaces an older value of
 * the same slot (the single value, an array index, a dictionary key); an older one is refused.
 *
 * <p>Runs on the node's thread only.
 */
final class Storage {
    /** A refused store: the error code and why. */
    record Refusal(ErrorCode code, String reason) {
    }

    private static final class Slot {
        long generation;
        final Map<String, StoredData> entries = new LinkedHashMap<>();
    }

    /** A resource id as a map key. */
    record ResourceKey(String hex) {
        static ResourceKey of(byte[] id) {
            return new ResourceKey(HexFormat.of().formatHex(id));
        }

        byte[] bytes() {
            return HexFormat.of().parseHex(hex);
        }

        /** The id on the ring: a CHORD-RELOAD Resource-ID is 16 bytes; others are read from the front. */
        NodeId ring() {
            byte[] b = bytes();
            byte[] id = new byte[NodeId.BYTES];
            System.arraycopy(b, 0, id, 0, Math.min(b.length, NodeId.BYTES));
            return NodeId.of(id, 0);
        }
    }

    private final Map<ResourceKey, Map<Long, Slot>> data = new HashMap<>();

    /**
     * Stores the values of one kind; returns null on success or why not. {@code generation} 0 means "no
     * condition"; any other value must match the stored counter (§7.4.1.1).
     */
    Refusal store(byte[] resource, KindData kd, long nowMillis) {
        Map<Long, Slot> kinds = data.computeIfAbsent(ResourceKey.of(resource), k -> new HashMap<>());
        Slot slot = kinds.computeIfAbsent(kd.kind(), k -> new Slot());
        if (kd.generation() != 0 && kd.generation() != slot.generation) {
            return new Refusal(ErrorCode.GENERATION_COUNTER_TOO_LOW, "generation " + kd.generation()
                    + ", stored " + slot.generation);
        }
        for (StoredData sd : kd.values()) {
            StoredData old = slot.entries.get(entryKey(sd.value()));
            if (old != null && old.storageTime() > sd.storageTime()) {
                return new Refusal(ErrorCode.DATA_TOO_OLD, "storage_time " + sd.storageTime() + " older than "
                        + old.storageTime());
            }
        }
        for (StoredData sd : kd.values()) {
            slot.entries.put(entryKey(sd.value()), sd);
        }
        slot.generation++;
        expire(kinds, kd.kind(), nowMillis);
        return null;
    }

    long generation(byte[] resource, long kind) {
        Map<Long, Slot> kinds = data.get(ResourceKey.of(resource));
        Slot s = kinds == null ? null : kinds.get(kind);
        return s == null ? 0 : s.generation;
    }

    /** The values asked for; each specifier gets an answer, empty when nothing is stored. */
    List<KindData> fetch(byte[] resource, List<StorageBodies.Specifier> specifiers, long nowMillis) {
        Map<Long, Slot> kinds = data.get(ResourceKey.of(resource));
        List<KindData> out = new ArrayList<>();
        for (StorageBodies.Specifier sp : specifiers) {
            Slot slot = kinds == null ? null : kinds.get(sp.kind());
            if (slot == null) {
                out.add(new KindData(sp.kind(), 0, List.of()));
                continue;
            }
            expire(kinds, sp.kind(), nowMillis);
            List<StoredData> values = new ArrayList<>();
            for (StoredData sd : slot.entries.values()) {
                if (matches(sp, sd.value())) {
                    values.add(sd);
                }
            }
            out.add(new KindData(sp.kind(), slot.generation, values));
        }
        return out;
    }

    /** Everything stored under {@code resource}, per kind (for replication and hand-over). */
    List<KindData> all(byte[] resource, long nowMillis) {
        Map<Long, Slot> kinds = data.get(ResourceKey.of(resource));
        List<KindData> out = new ArrayList<>();
        if (kinds == null) {
            return out;
        }
        for (Map.Entry<Long, Slot> e : kinds.entrySet()) {
            expire(kinds, e.getKey(), nowMillis);
            if (!e.getValue().entries.isEmpty()) {
                out.add(new KindData(e.getKey(), 0, List.copyOf(e.getValue().entries.values())));
            }
        }
        return out;
    }

    Set<ResourceKey> resources() {
        return Set.copyOf(data.keySet());
    }

    int resourceCount() {
        return data.size();
    }

    /** Drops every value past its lifetime, and resources left empty. */
    void expireAll(long nowMillis) {
        for (Iterator<Map.Entry<ResourceKey, Map<Long, Slot>>> it = data.entrySet().iterator(); it.hasNext(); ) {
            Map<Long, Slot> kinds = it.next().getValue();
            for (Long kind : List.copyOf(kinds.keySet())) {
                expire(kinds, kind, nowMillis);
            }
            if (kinds.isEmpty()) {
                it.remove();
            }
        }
    }

    private static void expire(Map<Long, Slot> kinds, long kind, long nowMillis) {
        Slot slot = kinds.get(kind);
        if (slot == null) {
            return;
        }
        slot.entries.values().removeIf(sd -> sd.storageTime() + sd.lifetime() * 1000 <= nowMillis);
        if (slot.entries.isEmpty()) {
            kinds.remove(kind);
        }
    }

    private static boolean matches(StorageBodies.Specifier sp, StorageBodies.Value v) {
        return switch (v.model()) {
            case SINGLE -> true;
            case ARRAY -> sp.ranges().isEmpty() || sp.ranges().stream().anyMatch(r -> v.index() >= r[0] && v.index() <= r[1]);
            case DICTIONARY -> sp.keys().isEmpty() || sp.keys().stream().anyMatch(k -> java.util.Arrays.equals(k, v.key()));
        };
    }

    private static String entryKey(StorageBodies.Value v) {
        return v.model() == DataModel.ARRAY ? "i" + v.index()
                : v.model() == DataModel.DICTIONARY ? "k" + HexFormat.of().formatHex(v.key()) : "";
    }
}
