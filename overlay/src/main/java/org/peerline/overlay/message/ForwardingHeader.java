package org.peerline.overlay.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The RELOAD forwarding header (RFC 6940 §6.3.2), minus the {@code length} field, which is computed when
 * the whole message is encoded.
 *
 * @param overlay           the low 32 bits of SHA-1 of the overlay name ({@link #overlayHash})
 * @param configSequence    sequence number of the overlay configuration the sender uses
 * @param ttl               hops left; each node decrements it and answers Error_TTL_Exceeded at 0
 * @param fragment          fragmentation field; {@link #UNFRAGMENTED} for a whole message
 * @param transactionId     random 64-bit id chosen by the requester, echoed in the response
 * @param maxResponseLength largest response the requester accepts, 0 for no limit
 * @param via               the path so far (requests) or back (responses)
 * @param destinations      where the message goes, first entry next
 * @param options           forwarding options
 */
public record ForwardingHeader(long overlay, int configSequence, int ttl, long fragment, long transactionId,
                               long maxResponseLength, List<Destination> via, List<Destination> destinations,
                               List<ForwardingOption> options) {
    /** {@code relo_token}: "RELO" with the high bit set, so that RELOAD cannot be mistaken for RFC 5389 STUN. */
    public static final long RELO_TOKEN = 0xd2454c4fL;
    /** {@code version}: 0x0a, RELOAD 1.0. */
    public static final int VERSION = 10;
    /** The high bit (always set) and the last-fragment bit, offset 0. */
    public static final long UNFRAGMENTED = 0xc0000000L;
    /** The TTL a node puts on the requests it originates (RFC 6940 §6.3.2: initial-ttl default). */
    public static final int DEFAULT_TTL = 100;
    /** Bytes of the fixed part, before the Via list. */
    static final int FIXED_BYTES = 38;

    public ForwardingHeader {
        via = List.copyOf(via);
        destinations = List.copyOf(destinations);
        options = List.copyOf(options);
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl out of range: " + ttl);
        }
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("a RELOAD message needs at least one destination");
        }
    }

    /** A new request header: default TTL, whole message, empty Via list, no options. */
    public static ForwardingHeader request(long overlay, int configSequence, long transactionId,
                                           List<Destination> destinations) {
        return new ForwardingHeader(overlay, configSequence, DEFAULT_TTL, UNFRAGMENTED, transactionId, 0,
                List.of(), destinations, List.of());
    }

    /** The overlay field for an overlay name: the low-order 32 bits of its SHA-1 (RFC 6940 §6.3.2.1). */
    public static long overlayHash(String overlayName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(overlayName.getBytes(StandardCharsets.UTF_8));
            return ((long) (h[16] & 0xff) << 24) | (h[17] & 0xff) << 16 | (h[18] & 0xff) << 8 | h[19] & 0xff;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    /** Writes the header with {@code totalLength} as the message length. */
    void write(WireWriter w, long totalLength) {
        w.u32(RELO_TOKEN).u32(overlay).u16(configSequence).u8(VERSION).u8(ttl).u32(fragment).u32(totalLength)
                .u64(transactionId).u32(maxResponseLength);
        byte[] v = list(via);
        byte[] d = list(destinations);
        WireWriter o = new WireWriter();
        options.forEach(opt -> opt.write(o));
        byte[] ob = o.toByteArray();
        w.u16(v.length).u16(d.length).u16(ob.length).bytes(v).bytes(d).bytes(ob);
    }

    private static byte[] list(List<Destination> ds) {
        WireWriter w = new WireWriter();
        ds.forEach(x -> Destination.write(w, x));
        return w.toByteArray();
    }

    /** Reads a header; returns it with the message length the header announced. */
    static Read read(WireReader r) throws DecodeException {
        long token = r.u32("relo_token");
        if (token != RELO_TOKEN) {
            throw new DecodeException(String.format("relo_token 0x%08x, expected 0x%08x", token, RELO_TOKEN));
        }
        long overlay = r.u32("overlay");
        int configSequence = r.u16("configuration_sequence");
        int version = r.u8("version");
        if (version != VERSION) {
            throw new DecodeException("RELOAD version " + version + ", expected " + VERSION);
        }
        int ttl = r.u8("ttl");
        long fragment = r.u32("fragment");
        long length = r.u32("length");
        long transactionId = r.u64("transaction_id");
        long maxResponseLength = r.u32("max_response_length");
        int viaBytes = r.u16("via_list_length");
        int destBytes = r.u16("destination_list_length");
        int optBytes = r.u16("options_length");
        List<Destination> via = destinations(r.sub(viaBytes, "via list"));
        List<Destination> dest = destinations(r.sub(destBytes, "destination list"));
        WireReader or = r.sub(optBytes, "forwarding options");
        List<ForwardingOption> options = new ArrayList<>();
        while (or.remaining() > 0) {
            options.add(ForwardingOption.read(or));
        }
        if (dest.isEmpty()) {
            throw new DecodeException("empty destination list");
        }
        return new Read(new ForwardingHeader(overlay, configSequence, ttl, fragment, transactionId, maxResponseLength,
                via, dest, options), length);
    }

    record Read(ForwardingHeader header, long length) {
    }

    private static List<Destination> destinations(WireReader r) throws DecodeException {
        List<Destination> out = new ArrayList<>();
        while (r.remaining() > 0) {
            out.add(Destination.read(r));
        }
        return out;
    }
}
