package org.peerline.overlay.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Storage bodies (RFC 6940 §7): StoredData in its three data models, Store, Fetch, and their answers.
 *
 * <p>The data model of a kind is not on the wire; it comes from the kind's definition, so decoding takes a
 * {@link Models} that knows it. Length prefixes follow the RFC exactly (they differ from struct to struct:
 * u32 for StoreReq and FetchAns lists, u16 for StoreAns and FetchReq lists).
 */
public final class StorageBodies {
    private StorageBodies() {
    }

    /** RELOAD data models (§7.2). */
    public enum DataModel { SINGLE, ARRAY, DICTIONARY }

    /** The data model of each kind this node knows. */
    @FunctionalInterface
    public interface Models {
        /** The model of {@code kindId}, or null for an unknown kind. */
        DataModel of(long kindId);
    }

    /** {@code StoredDataValue}: a single value, an array entry, or a dictionary entry; {@code exists} false deletes. */
    public record Value(DataModel model, long index, byte[] key, boolean exists, byte[] data) {
        public Value {
            key = key == null ? new byte[0] : key.clone();
            data = data.clone();
        }

        public static Value single(byte[] data) {
            return new Value(DataModel.SINGLE, 0, null, true, data);
        }

        public static Value arrayEntry(long index, byte[] data) {
            return new Value(DataModel.ARRAY, index, null, true, data);
        }

        public static Value dictionaryEntry(byte[] key, byte[] data) {
            return new Value(DataModel.DICTIONARY, 0, key, true, data);
        }

        /** The same entry marked as deleted (RFC 6940 §7.2: exists = false, empty value). */
        public Value deleted() {
            return new Value(model, index, key, false, new byte[0]);
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The encoded StoredDataValue, which is also part of the StoredData signature input. */
        public byte[] encode() {
            WireWriter w = new WireWriter();
            switch (model) {
                case ARRAY -> w.u32(index);
                case DICTIONARY -> w.opaque(2, key);
                default -> {
                }
            }
            return w.u8(exists ? 1 : 0).opaque(4, data).toByteArray();
        }

        static Value read(WireReader r, DataModel model) throws DecodeException {
            long index = 0;
            byte[] key = null;
            if (model == DataModel.ARRAY) {
                index = r.u32("index");
            } else if (model == DataModel.DICTIONARY) {
                key = r.opaque(2, "DictionaryKey");
            }
            boolean exists = ChordBodies.bool(r, "exists");
            return new Value(model, index, key, exists, r.opaque(4, "value"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Value v && v.model == model && v.index == index && Arrays.equals(v.key, key)
                    && v.exists == exists && Arrays.equals(v.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + Arrays.hashCode(key);
        }
    }

    /**
     * {@code StoredData}: storage time (ms since the epoch, chosen by the signer; a newer one replaces an older
     * one), lifetime in seconds, the value, and the signer's signature over resource, kind, storage time, value
     * and signer identity (§7.1).
     */
    public record StoredData(long storageTime, long lifetime, Value value, SecurityBlock.Signature signature) {
        void write(WireWriter w) {
            WireWriter body = new WireWriter().u64(storageTime).u32(lifetime).bytes(value.encode());
            body.u8(signature.hashAlgorithm()).u8(signature.signatureAlgorithm()).bytes(signature.identity().encode())
                    .opaque(2, signature.value());
            w.opaque(4, body.toByteArray());
        }

        static StoredData read(WireReader r, DataModel model) throws DecodeException {
            WireReader d = new WireReader(r.opaque(4, "StoredData"));
            long time = d.u64("storage_time");
            long lifetime = d.u32("lifetime");
            Value v = Value.read(d, model);
            int hash = d.u8("hash algorithm");
            int sig = d.u8("signature algorithm");
            SecurityBlock.SignerIdentity id = SecurityBlock.SignerIdentity.read(d);
            byte[] value = d.opaque(2, "signature_value");
            d.expectEnd("StoredData");
            return new StoredData(time, lifetime, v, new SecurityBlock.Signature(hash, sig, id, value));
        }

        /**
         * What the signer signs (§7.1): resource id (its bytes, without the length prefix), kind (uint32),
         * storage_time (uint64), the encoded StoredDataValue, the encoded signer identity.
         */
        public static byte[] signatureInput(byte[] resourceId, long kind, long storageTime, Value value,
                                            SecurityBlock.SignerIdentity identity) {
            return new WireWriter().bytes(resourceId).u32(kind).u64(storageTime).bytes(value.encode())
                    .bytes(identity.encode()).toByteArray();
        }
    }

    /** {@code StoreKindData} (also the layout of {@code FetchKindResponse}): kind, generation counter, values. */
    public record KindData(long kind, long generation, List<StoredData> values) {
        public KindData {
            values = List.copyOf(values);
        }

        void write(WireWriter w) {
            WireWriter vs = new WireWriter();
            values.forEach(v -> v.write(vs));
            w.u32(kind).u64(generation).opaque(4, vs.toByteArray());
        }

        static KindData read(WireReader r, Models models) throws DecodeException {
            long kind = r.u32("kind");
            long gen = r.u64("generation_counter");
            DataModel model = models.of(kind);
            if (model == null) {
                throw new UnknownKindException(kind);
            }
            WireReader vr = new WireReader(r.opaque(4, "values"));
            List<StoredData> values = new ArrayList<>();
            while (vr.remaining() > 0) {
                values.add(StoredData.read(vr, model));
            }
            return new KindData(kind, gen, values);
        }
    }

    /** A kind this node does not know: the answer is Error_Unknown_Kind (§7.4.1.1). */
    public static final class UnknownKindException extends DecodeException {
        private static final long serialVersionUID = 1L;
        public final long kind;

        UnknownKindException(long kind) {
            super("unknown kind " + kind);
            this.kind = kind;
        }
    }

    /** StoreReq (§7.4.1): resource, replica number (0 for the original, 1.. for replicas), data per kind. */
    public record StoreReq(byte[] resource, int replicaNumber, List<KindData> kinds) {
        public StoreReq {
            resource = resource.clone();
            kinds = List.copyOf(kinds);
        }

        @Override
        public byte[] resource() {
            return resource.clone();
        }

        public byte[] encode() {
            WireWriter k = new WireWriter();
            kinds.forEach(kd -> kd.write(k));
            return new WireWriter().opaque(1, resource).u8(replicaNumber).opaque(4, k.toByteArray()).toByteArray();
        }

        public static StoreReq decode(byte[] b, Models models) throws DecodeException {
            WireReader r = new WireReader(b);
            byte[] res = r.opaque(1, "resource");
            int replica = r.u8("replica_number");
            WireReader kr = new WireReader(r.opaque(4, "kind_data"));
            r.expectEnd("StoreReq");
            List<KindData> kinds = new ArrayList<>();
            while (kr.remaining() > 0) {
                kinds.add(KindData.read(kr, models));
            }
            return new StoreReq(res, replica, kinds);
        }
    }

    /** {@code StoreKindResponse}: the kind, its generation counter after the store, the replicas it went to. */
    public record KindResponse(long kind, long generation, List<org.peerline.overlay.api.NodeId> replicas) {
        public KindResponse {
            replicas = List.copyOf(replicas);
        }
    }

    /** StoreAns (§7.4.1.2). */
    public record StoreAns(List<KindResponse> kinds) {
        public StoreAns {
            kinds = List.copyOf(kinds);
        }

        public byte[] encode() {
            WireWriter k = new WireWriter();
            for (KindResponse kr : kinds) {
                k.u32(kr.kind()).u64(kr.generation()).opaque(2, ChordBodies.ids(kr.replicas()));
            }
            return new WireWriter().opaque(2, k.toByteArray()).toByteArray();
        }

        public static StoreAns decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            WireReader kr = new WireReader(r.opaque(2, "kind_responses"));
            r.expectEnd("StoreAns");
            List<KindResponse> out = new ArrayList<>();
            while (kr.remaining() > 0) {
                out.add(new KindResponse(kr.u32("kind"), kr.u64("generation_counter"),
                        ChordBodies.ids(kr.opaque(2, "replicas"), "replicas")));
            }
            return new StoreAns(out);
        }
    }

    /**
     * {@code StoredDataSpecifier}: which values of a kind to fetch. For ARRAY, index ranges (first, last)
     * inclusive; for DICTIONARY, keys (none: every key); nothing for SINGLE.
     */
    public record Specifier(long kind, long generation, DataModel model, List<long[]> ranges, List<byte[]> keys) {
        public Specifier {
            ranges = ranges.stream().map(long[]::clone).toList();
            keys = keys.stream().map(byte[]::clone).toList();
        }

        public static Specifier all(long kind, DataModel model) {
            return new Specifier(kind, 0, model, model == DataModel.ARRAY ? List.of(new long[] {0, 0xffffffffL})
                    : List.of(), List.of());
        }

        void write(WireWriter w) {
            WireWriter m = new WireWriter();
            if (model == DataModel.ARRAY) {
                for (long[] r : ranges) {
                    m.u32(r[0]).u32(r[1]);
                }
            } else if (model == DataModel.DICTIONARY) {
                for (byte[] k : keys) {
                    m.opaque(2, k);
                }
            }
            byte[] spec = model == DataModel.SINGLE ? new byte[0] : new WireWriter().opaque(2, m.toByteArray()).toByteArray();
            w.u32(kind).u64(generation).opaque(2, spec);
        }

        static Specifier read(WireReader r, Models models) throws DecodeException {
            long kind = r.u32("kind");
            long gen = r.u64("generation");
            DataModel model = models.of(kind);
            if (model == null) {
                throw new UnknownKindException(kind);
            }
            WireReader m = new WireReader(r.opaque(2, "model_specifier"));
            List<long[]> ranges = new ArrayList<>();
            List<byte[]> keys = new ArrayList<>();
            if (model != DataModel.SINGLE) {
                WireReader list = new WireReader(m.opaque(2, model == DataModel.ARRAY ? "indices" : "keys"));
                while (list.remaining() > 0) {
                    if (model == DataModel.ARRAY) {
                        ranges.add(new long[] {list.u32("first"), list.u32("last")});
                    } else {
                        keys.add(list.opaque(2, "DictionaryKey"));
                    }
                }
            }
            m.expectEnd("model_specifier");
            return new Specifier(kind, gen, model, ranges, keys);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Specifier s) || s.kind != kind || s.generation != generation || s.model != model
                    || s.ranges.size() != ranges.size() || s.keys.size() != keys.size()) {
                return false;
            }
            for (int i = 0; i < ranges.size(); i++) {
                if (!Arrays.equals(ranges.get(i), s.ranges.get(i))) {
                    return false;
                }
            }
            for (int i = 0; i < keys.size(); i++) {
                if (!Arrays.equals(keys.get(i), s.keys.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(kind) * 31 + model.hashCode();
        }
    }

    /** FetchReq (§7.4.2): a resource and what to fetch of it. */
    public record FetchReq(byte[] resource, List<Specifier> specifiers) {
        public FetchReq {
            resource = resource.clone();
            specifiers = List.copyOf(specifiers);
        }

        @Override
        public byte[] resource() {
            return resource.clone();
        }

        public byte[] encode() {
            WireWriter s = new WireWriter();
            specifiers.forEach(sp -> sp.write(s));
            return new WireWriter().opaque(1, resource).opaque(2, s.toByteArray()).toByteArray();
        }

        public static FetchReq decode(byte[] b, Models models) throws DecodeException {
            WireReader r = new WireReader(b);
            byte[] res = r.opaque(1, "resource");
            WireReader sr = new WireReader(r.opaque(2, "specifiers"));
            r.expectEnd("FetchReq");
            List<Specifier> specs = new ArrayList<>();
            while (sr.remaining() > 0) {
                specs.add(Specifier.read(sr, models));
            }
            return new FetchReq(res, specs);
        }
    }

    /** FetchAns (§7.4.2.2): per kind, its generation and the values found. */
    public record FetchAns(List<KindData> kinds) {
        public FetchAns {
            kinds = List.copyOf(kinds);
        }

        public byte[] encode() {
            WireWriter k = new WireWriter();
            kinds.forEach(kd -> kd.write(k));
            return new WireWriter().opaque(4, k.toByteArray()).toByteArray();
        }

        public static FetchAns decode(byte[] b, Models models) throws DecodeException {
            WireReader r = new WireReader(b);
            WireReader kr = new WireReader(r.opaque(4, "kind_responses"));
            r.expectEnd("FetchAns");
            List<KindData> out = new ArrayList<>();
            while (kr.remaining() > 0) {
                out.add(KindData.read(kr, models));
            }
            return new FetchAns(out);
        }
    }
}
