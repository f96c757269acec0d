package org.peerline.overlay.usage;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.AccessControl;

/**
 * Peerline's DNS entries: kind PEERLINE-DNS (Kind-ID 0xf0000103, RFC 6940's private range), one dictionary per
 * DNS zone under the Resource-ID of {@code dns:<zone>}, keyed by the Node-ID of each box that the zone shows.
 * Each box keeps its own entry stored with a short lifetime, so a box that dies drops out of the dictionary
 * within that lifetime; the peer responsible for the resource (which holds the dictionary) is the one box that
 * writes the zone to DNS, and its successor, which holds the replica, takes over when it dies.
 *
 * <p>Value (version 1): {@code uint8 version; opaque site<0..255>; opaque addresses<0..2^16-1> (text, comma
 * separated); opaque domains<0..2^16-1> (comma separated); uint16 sip_udp; uint16 sip_tcp; uint16 sips;
 * uint16 overlay; uint16 priority; uint16 weight}. A box writes only its own entry, and only for SIP domains
 * its certificate names.
 */
public final class DnsEntries {
    public static final long KIND = 0xf0000103L;
    private static final int VERSION = 1;

    private DnsEntries() {
    }

    /** The resource name of {@code zone}'s dictionary. */
    public static String resourceName(String zone) {
        return "dns:" + normalise(zone);
    }

    private static String normalise(String zone) {
        String z = zone.toLowerCase(Locale.ROOT);
        return z.endsWith(".") ? z.substring(0, z.length() - 1) : z;
    }

    /** The Resource-ID of {@code zone}'s dictionary. */
    public static byte[] resourceId(String zone) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(resourceName(zone).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(h, NodeId.BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The dictionary entry of {@code e}, keyed by its box. */
    public static StorageBodies.Value entry(Overlay.DnsEntry e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(VERSION);
        byte[] site = e.site().getBytes(StandardCharsets.UTF_8);
        out.write(site.length);
        out.writeBytes(site);
        for (List<String> list : List.of(e.addresses(), e.domains())) {
            byte[] b = String.join(",", list).getBytes(StandardCharsets.UTF_8);
            out.write(b.length >> 8);
            out.write(b.length);
            out.writeBytes(b);
        }
        for (int port : new int[] {e.sipUdpPort(), e.sipTcpPort(), e.sipsPort(), e.overlayPort(), e.priority(), e.weight()}) {
            out.write(port >> 8);
            out.write(port);
        }
        return StorageBodies.Value.dictionaryEntry(e.box().toBytes(), out.toByteArray());
    }

    /** Reads the entry of {@code box} from its value. */
    public static Overlay.DnsEntry entryOf(NodeId box, byte[] value) throws DecodeException {
        try {
            ByteBuffer b = ByteBuffer.wrap(value);
            if (b.get() != VERSION) {
                throw new DecodeException("not a version " + VERSION + " DNS entry");
            }
            String site = string(b, b.get() & 0xff);
            List<String> addresses = list(string(b, b.getShort() & 0xffff));
            List<String> domains = list(string(b, b.getShort() & 0xffff));
            int[] n = new int[6];
            for (int i = 0; i < n.length; i++) {
                n[i] = b.getShort() & 0xffff;
            }
            if (b.hasRemaining()) {
                throw new DecodeException("DNS entry lengths do not add up");
            }
            return new Overlay.DnsEntry(box, site, addresses, domains, n[0], n[1], n[2], n[3], n[4], n[5]);
        } catch (BufferUnderflowException e) {
            throw new DecodeException("DNS entry truncated");
        }
    }

    private static String string(ByteBuffer b, int len) {
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static List<String> list(String joined) {
        List<String> out = new ArrayList<>();
        for (String s : joined.split(",")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** How an entry reads for an operator. */
    public static String describe(Overlay.DnsEntry e) {
        return "DNS entry of site " + e.site() + " at " + e.addresses() + " for " + e.domains();
    }

    /**
     * Any box may store its own entry in a zone's dictionary, naming only SIP domains its certificate names;
     * other kinds go to {@code others}.
     */
    public static AccessControl policy(AccessControl others) {
        return SipRegistration.ownEntries(KIND, (resource, name, kind, value, signer, domains) -> {
            if (name == null || !name.startsWith("dns:") || !Arrays.equals(resourceId(name.substring(4)), resource)) {
                return "DNS entries are stored under the resource 'dns:<zone>' only";
            }
            if (value.exists()) {
                try {
                    for (String d : entryOf(signer, value.data()).domains()) {
                        if (!domains.contains(d.toLowerCase(Locale.ROOT))) {
                            return "the signer's certificate does not name " + d + " (it names " + domains + ")";
                        }
                    }
                } catch (DecodeException e) {
                    return "not a DNS entry: " + e.getMessage();
                }
            }
            return null;
        }, others);
    }
}
