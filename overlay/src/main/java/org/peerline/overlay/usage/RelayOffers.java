package org.peerline.overlay.usage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.Overlay;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.AccessControl;

/**
 * Peerline's relay offers: kind PEERLINE-RELAY (Kind-ID 0xf0000102, RFC 6940's private range), one dictionary
 * under the Resource-ID of {@code relays}, keyed by the Node-ID of each box that relays media, so that a box
 * that needs a third box to carry a call's WAN leg finds the candidates with one fetch. A federation has tens
 * of boxes, not millions: one resource holds them all (and its responsible peer and replicas answer for it).
 *
 * <p>Value (version 3): {@code uint8 version; uint8 reachable; uint32 capacity; uint32 in_use; opaque
 * sip_uri<0..2^16-1>; opaque stun<0..2^8-1>; opaque site<0..2^8-1>}: whether other boxes can connect to the box,
 * how many call legs its relay holds and how many are busy, where it takes SIP, the {@code host:port} of its STUN
 * server (empty: none), where boxes behind NATs learn their relays' public addresses for ICE, and its site's name
 * (for the admin page). Version 2, the same without the site, is still read. A box writes only its own entry
 * (the key is the signer's Node-ID).
 */
public final class RelayOffers {
    public static final long KIND = 0xf0000102L;
    public static final String RESOURCE_NAME = "relays";
    private static final int VERSION = 3;

    private RelayOffers() {
    }

    /** The Resource-ID every offer is stored under. */
    public static byte[] resourceId() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(RESOURCE_NAME.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(h, NodeId.BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The dictionary entry of {@code offer}, keyed by its box. */
    public static StorageBodies.Value entry(Overlay.RelayOffer offer) {
        byte[] uri = offer.sipUri().getBytes(StandardCharsets.UTF_8);
        byte[] stun = offer.stun().getBytes(StandardCharsets.UTF_8);
        byte[] site = offer.site().getBytes(StandardCharsets.UTF_8);
        if (uri.length > 0xffff || stun.length > 0xff || site.length > 0xff) {
            throw new IllegalArgumentException("relay offer field too long");
        }
        ByteBuffer b = ByteBuffer.allocate(14 + uri.length + stun.length + site.length);
        b.put((byte) VERSION).put((byte) (offer.reachable() ? 1 : 0)).putInt(offer.capacity()).putInt(offer.inUse())
                .putShort((short) uri.length).put(uri).put((byte) stun.length).put(stun)
                .put((byte) site.length).put(site);
        return StorageBodies.Value.dictionaryEntry(offer.box().toBytes(), b.array());
    }

    /** Reads the offer of {@code box} from its entry's value. */
    public static Overlay.RelayOffer offerOf(NodeId box, byte[] value) throws DecodeException {
        if (value.length < 13 || value[0] != 2 && value[0] != VERSION) {
            throw new DecodeException("not a version 2 or " + VERSION + " relay offer");
        }
        boolean withSite = value[0] == VERSION;
        ByteBuffer b = ByteBuffer.wrap(value);
        b.get();
        boolean reachable = b.get() != 0;
        int capacity = b.getInt();
        int inUse = b.getInt();
        int len = b.getShort() & 0xffff;
        if (len + 1 > b.remaining() || capacity < 0 || inUse < 0) {
            throw new DecodeException("relay offer lengths do not add up");
        }
        byte[] uri = new byte[len];
        b.get(uri);
        byte[] stun = new byte[b.get() & 0xff];
        if (stun.length + (withSite ? 1 : 0) > b.remaining()) {
            throw new DecodeException("relay offer lengths do not add up");
        }
        b.get(stun);
        byte[] site = new byte[withSite ? b.get() & 0xff : 0];
        if (site.length != b.remaining()) {
            throw new DecodeException("relay offer lengths do not add up");
        }
        b.get(site);
        return new Overlay.RelayOffer(box, new String(uri, StandardCharsets.UTF_8), reachable, capacity, inUse,
                new String(stun, StandardCharsets.UTF_8), new String(site, StandardCharsets.UTF_8));
    }

    /** How an offer reads for an operator. */
    public static String describe(Overlay.RelayOffer o) {
        return "relay of " + (o.site().isEmpty() ? "a box" : "site " + o.site()) + ", which " + (o.reachable() ? "can"
                : "cannot") + " be connected to, " + o.inUse() + " of "
                + o.capacity() + " call legs busy, SIP at " + o.sipUri()
                + (o.stun().isEmpty() ? "" : ", STUN at " + o.stun());
    }

    /** Any box of the federation may offer its relay, under its own Node-ID only; other kinds go to {@code others}. */
    public static AccessControl policy(AccessControl others) {
        return SipRegistration.ownEntries(KIND, (resource, name, kind, value, signer, domains) -> {
            if (!Arrays.equals(resourceId(), resource)) {
                return "relay offers are stored under the resource '" + RESOURCE_NAME + "' only";
            }
            if (value.exists()) {
                try {
                    offerOf(signer, value.data());
                } catch (DecodeException e) {
                    return "not a relay offer: " + e.getMessage();
                }
            }
            return null;
        }, others);
    }
}
