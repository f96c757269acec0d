package org.peerline.overlay.usage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.AccessControl;

/**
 * Peerline's global extensions: kind PEERLINE-EXTENSION (Kind-ID 0xf0000101, in RFC 6940's private range),
 * a dictionary under the Resource-ID of a dialled extension ({@code 2001}), keyed by the Node-ID of each box
 * that claims it, whose value is the AOR the extension reaches, encoded as a {@code sip_registration_uri}
 * (RFC 7904). Two boxes claiming one extension leave two entries: readers see the conflict instead of one
 * silently replacing the other.
 *
 * <p>Access control is the DOMAIN-NODE-MATCH of {@link SipRegistration}: the key is the signer's Node-ID, the
 * Store names the extension (which hashes to the Resource-ID), and the AOR's domain is one the signer's
 * certificate names, so a box can claim extensions only for its own users.
 */
public final class GlobalExtension {
    public static final long KIND = 0xf0000101L;

    private GlobalExtension() {
    }

    /** The resource name of an extension: the digits as dialled, with the "extension:" prefix. */
    public static String resourceName(String extension) {
        return "extension:" + extension.trim();
    }

    /** The Resource-ID of an extension: the first 128 bits of the SHA-1 of its resource name. */
    public static byte[] resourceId(String extension) {
        return idOf(resourceName(extension));
    }

    private static byte[] idOf(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(h, NodeId.BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The dictionary entry a box stores to claim an extension for one of its users. */
    public static StorageBodies.Value entry(NodeId box, String aor) {
        return StorageBodies.Value.dictionaryEntry(box.toBytes(), SipRegistration.uriValue(aor));
    }

    /** The AOR of an entry. */
    public static String aorOf(byte[] value) throws DecodeException {
        return SipRegistration.uriOf(value);
    }

    /** DOMAIN-NODE-MATCH for PEERLINE-EXTENSION; other kinds are left to {@code others}. */
    public static AccessControl policy(AccessControl others) {
        return SipRegistration.ownEntries(KIND, (resource, name, kind, value, signer, domains) -> {
            if (name == null || !name.startsWith("extension:")) {
                return "a PEERLINE-EXTENSION store must name its extension";
            }
            if (!Arrays.equals(idOf(name), resource)) {
                return "the extension does not hash to the Resource-ID";
            }
            if (!value.exists()) {
                return null; // a box withdraws its own claim
            }
            String aor;
            try {
                aor = aorOf(value.data());
            } catch (DecodeException e) {
                return "the value is not an AOR: " + e.getMessage();
            }
            return SipRegistration.domainNamed(aor, domains);
        }, others);
    }
}
