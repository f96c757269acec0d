package org.peerline.overlay.usage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.message.Destination;
import org.peerline.overlay.message.SipRegistrationValue;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.AccessControl;

/**
 * The SIP usage of RELOAD (RFC 7904): kind SIP-REGISTRATION (1), a dictionary under the Resource-ID of an
 * AOR, keyed by the Node-ID of the box that stores it, whose value says where the AOR is served: a URI
 * ({@code sip_registration_uri}) or a Destination list ({@code sip_registration_route}).
 *
 * <p><b>Access control, Peerline's DOMAIN-NODE-MATCH policy.</b> RFC 7904 uses USER-NODE-MATCH: a user's
 * certificate names the user. A Peerline box writes for all the users of its SIP domains, and its
 * certificate names those domains (dNSName), so a value is written if and only if
 * <ol>
 *   <li>the signature over the value is valid and made with a certificate from the overlay's CA;</li>
 *   <li>the dictionary key equals the Node-ID in the signer's certificate (as in USER-NODE-MATCH), so one box
 *       can never replace another box's entry;</li>
 *   <li>the Store carries the resource name (the AOR, in a message extension), the name hashes to the
 *       Resource-ID, and the AOR's domain is one the signer's certificate names.</li>
 * </ol>
 * Readers apply 1 and 2 to every value they fetch, and 3 with the AOR they looked up, so a record a wrong
 * or malicious peer returns is dropped as well.
 *
 * <p>Resource name: the AOR without its scheme, lower case ({@code alice@site-a.example}), as RFC 7904
 * prescribes for matching certificates; Resource-ID: the first 128 bits of its SHA-1 (CHORD-RELOAD).
 */
public final class SipRegistration {
    public static final long KIND = 1;

    private SipRegistration() {
    }

    /** The resource name of an AOR: without "sip:"/"sips:", lower case. */
    public static String resourceName(String aor) {
        String a = aor.trim();
        String lower = a.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sip:")) {
            a = a.substring(4);
        } else if (lower.startsWith("sips:")) {
            a = a.substring(5);
        }
        return a.toLowerCase(Locale.ROOT);
    }

    /** The Resource-ID of an AOR. */
    public static byte[] resourceId(String aor) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(resourceName(aor).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(h, NodeId.BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@code sip_registration_uri} value: the URI the AOR maps to (here, the AOR at its serving box). */
    public static byte[] uriValue(String uri) {
        return SipRegistrationValue.ofUri(uri).encode();
    }

    /** The URI of a {@code sip_registration_uri} value. */
    public static String uriOf(byte[] value) throws DecodeException {
        SipRegistrationValue v = SipRegistrationValue.decode(value);
        if (v.uri() == null) {
            throw new DecodeException("not a sip_registration_uri value");
        }
        return v.uri();
    }

    /**
     * The box a registration value leads to when it is a {@code sip_registration_route} through one box (the
     * only route Peerline writes: "AppAttach to me"); null for a URI value.
     *
     * @throws DecodeException for a value that is neither, or a route of another shape
     */
    public static NodeId routedBox(byte[] value) throws DecodeException {
        SipRegistrationValue v = SipRegistrationValue.decode(value);
        if (v.uri() != null) {
            return null;
        }
        if (v.route().size() != 1 || !(v.route().get(0) instanceof Destination.Node n)) {
            throw new DecodeException("a route registration must name exactly one box");
        }
        return n.id();
    }

    /** How a value reads for an operator: the URI, or {@code route via <Node-ID>}. */
    public static String describe(byte[] value) throws DecodeException {
        NodeId box = routedBox(value);
        return box == null ? uriOf(value) : "route via " + box;
    }

    /** The dictionary entry a box stores for an AOR it serves: keyed by its Node-ID. */
    public static StorageBodies.Value entry(NodeId box, String uri) {
        return StorageBodies.Value.dictionaryEntry(box.toBytes(), uriValue(uri));
    }

    /**
     * The entry of a box that cannot be reached directly (a NAT without port forwarding): a
     * {@code sip_registration_route} naming the box itself, so that callers AppAttach to it through the overlay.
     */
    public static StorageBodies.Value routeEntry(NodeId box) {
        return StorageBodies.Value.dictionaryEntry(box.toBytes(),
                SipRegistrationValue.ofRoute(java.util.List.of(new Destination.Node(box))).encode());
    }

    /** Peerline's DOMAIN-NODE-MATCH policy for SIP-REGISTRATION; other kinds are left to {@code others}. */
    public static AccessControl policy(AccessControl others) {
        return ownEntries(KIND, (resource, name, kind, value, signer, domains) -> {
            if (value.exists()) {
                try {
                    NodeId routed = routedBox(value.data());
                    if (routed != null && !routed.equals(signer)) {
                        return "a route registration may lead only to the box that signs it";
                    }
                } catch (DecodeException e) {
                    return "not a SIP registration: " + e.getMessage();
                }
            }
            if (name == null) {
                return "a SIP-REGISTRATION store must name its AOR";
            }
            if (!Arrays.equals(resourceId(name), resource)) {
                return "the AOR does not hash to the Resource-ID";
            }
            return domainNamed(name, domains);
        }, others);
    }

    /**
     * The access control of a Peerline dictionary kind: for {@code kind}, an entry must be keyed by its signer's
     * Node-ID (a box writes only its own) and then pass {@code entry}; other kinds go to {@code others}.
     */
    static AccessControl ownEntries(long kind, AccessControl entry, AccessControl others) {
        return (resource, name, k, value, signer, domains) -> {
            if (k != kind) {
                return others.check(resource, name, k, value, signer, domains);
            }
            String keyed = keyedBySigner(value, signer);
            return keyed != null ? keyed : entry.check(resource, name, k, value, signer, domains);
        };
    }

    /** Null if {@code value} is a dictionary entry keyed by {@code signer}'s Node-ID, else why not. */
    static String keyedBySigner(StorageBodies.Value value, NodeId signer) {
        if (value.model() != StorageBodies.DataModel.DICTIONARY || !Arrays.equals(value.key(), signer.toBytes())) {
            return "the dictionary key must be the signer's Node-ID";
        }
        return null;
    }

    /** Null if the domain of {@code aor} is one of the signer's certificate {@code domains}, else why not. */
    static String domainNamed(String aor, java.util.List<String> domains) {
        int at = aor.lastIndexOf('@');
        String domain = at < 0 ? "" : aor.substring(at + 1).toLowerCase(Locale.ROOT);
        if (!domains.contains(domain)) {
            return "the signer's certificate does not name " + domain + " (it names " + domains + ")";
        }
        return null;
    }
}
