package org.peerline.gateway.federation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;

/**
 * A one-time invitation to join a federation, as {@code peerline federation invite} prints it and
 * {@code peerline federation join} reads it: where to enroll ({@code url}, HTTPS on the inviting box), the
 * SHA-256 of the federation CA's certificate and the inviting box's Node-ID (the joining box trusts the
 * endpoint only if it shows that box's certificate, issued by that CA), the invitation's id and secret, when it expires (epoch seconds), the inviting box's
 * overlay address (the joining box's first bootstrap peer), and the site and domain it was made for (for the
 * user to read; the inviting box certifies what it recorded, not what a token says).
 */
public record Invitation(String url, String ca, String node, String id, String secret, long expires, String overlay,
                         String site, String domain) {
    static final String PREFIX = "peerline-invite-1.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The token: a prefix and the invitation as base64url JSON, one word to copy and paste. */
    public String encode() {
        try {
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(this));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a token; IllegalArgumentException says why it is not one. */
    public static Invitation decode(String token) {
        String t = token.trim();
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a Peerline invitation token (it should start with " + PREFIX + ")");
        }
        try {
            Invitation i = JSON.readValue(Base64.getUrlDecoder().decode(t.substring(PREFIX.length())), Invitation.class);
            if (i.url == null || !i.url.startsWith("https://") || i.ca == null || !i.ca.matches("[0-9a-f]{64}")
                    || i.node == null || i.id == null || i.secret == null || i.overlay == null) {
                throw new IllegalArgumentException("the invitation token is incomplete");
            }
            return i;
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the invitation token is damaged (" + e.getMessage()
                    + "); copy it again from 'peerline federation invite'", e);
        }
    }
}
