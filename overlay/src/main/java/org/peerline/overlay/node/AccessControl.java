package org.peerline.overlay.node;

import java.util.List;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.StorageBodies;

/**
 * Who may write what (RFC 6940 §7.3): each kind's policy, checked by the responsible peer and its replicas
 * on every Store, and by the requester on every Fetch result.
 */
public interface AccessControl {
    /**
     * Null if {@code signer} may write {@code value} of {@code kind} under {@code resource}, otherwise why not.
     *
     * @param resourceName  the resource's name when the request carried it (a SIP AOR), else null
     * @param signerDomains the SIP domains the signer's certificate names
     */
    String check(byte[] resource, String resourceName, long kind, StorageBodies.Value value, NodeId signer,
                 List<String> signerDomains);

    /** Every signed value of every known kind is accepted (the simulator's experimental kind). */
    AccessControl ANY_SIGNER = (resource, name, kind, value, signer, domains) -> null;
}
