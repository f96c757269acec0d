package org.peerline.gateway.sip;

import java.text.ParseException;
import java.util.ListIterator;
import java.util.Optional;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Response;
import org.peerline.gateway.routing.Digest;
import org.peerline.gateway.routing.Nonces;
import org.peerline.provisioning.api.User;

/**
 * Digest authentication of requests (RFC 3261 §22, RFC 2617 MD5 with qop=auth). Registrations are
 * challenged with 401/WWW-Authenticate, other requests with 407/Proxy-Authenticate. Unknown users and
 * wrong passwords get the same answer after the same work, so a scanner learns nothing.
 */
final class DigestAuth {
    /** The outcome of checking a request's credentials. */
    sealed interface Result {
    }

    /** Valid credentials of {@code user}. */
    record Ok(User user) implements Result {
    }

    /**
     * No usable credentials: answer with a challenge.
     *
     * @param stale  the credentials were right but the nonce was too old or reused: {@code stale=true}
     * @param failed credentials were presented and were wrong (counts towards blocking the source)
     */
    record Challenge(boolean stale, boolean failed) implements Result {
    }

    private static final Challenge NONE = new Challenge(false, false);
    private static final String DUMMY_HA1 = Digest.md5Hex("no-such-user");

    private final SipContext ctx;

    DigestAuth(SipContext ctx) {
        this.ctx = ctx;
    }

    /** Checks Authorization (when {@code proxy} is false) or Proxy-Authorization credentials for our realm. */
    Result check(Inbound in, boolean proxy) {
        return check(in, proxy, false);
    }

    /**
     * As {@link #check(Inbound, boolean)}; for the {@code retransmission} of a request already accepted, a
     * nonce-count seen before is expected and accepted (the credentials are checked all the same).
     */
    Result check(Inbound in, boolean proxy, boolean retransmission) {
        AuthorizationHeader h = credentials(in, proxy);
        if (h == null) {
            return NONE;
        }
        String username = h.getUsername();
        String nonce = h.getNonce();
        String response = h.getResponse();
        String uri = unquote(h.getParameter("uri"));
        String qop = h.getQop();
        String nc = h.getParameter("nc");
        String cnonce = h.getCNonce();
        String algorithm = h.getAlgorithm();
        if (username == null || nonce == null || response == null || uri == null
                || algorithm != null && !"MD5".equalsIgnoreCase(algorithm)
                || qop != null && (!"auth".equalsIgnoreCase(qop) || nc == null || cnonce == null)) {
            return new Challenge(false, true);
        }
        Optional<User> user = ctx.users.find(username);
        String ha1 = user.filter(u -> u.realm().equals(ctx.settings.domain())).map(User::ha1).orElse(DUMMY_HA1);
        String q = qop == null ? null : "auth";
        boolean matches = Digest.matches(Digest.response(ha1, in.method(), uri, nonce, nc, cnonce, q), response);
        org.peerline.provisioning.api.Phones phones = ctx.phones;
        if (!matches && user.isPresent() && phones != null) {
            // a provisioned phone registers its lines with the phone's own password (see Phone)
            for (String phoneHa1 : phones.lineHa1s(username)) {
                matches |= Digest.matches(Digest.response(phoneHa1, in.method(), uri, nonce, nc, cnonce, q), response);
            }
        }
        if (!matches || user.isEmpty()) {
            return new Challenge(false, true);
        }
        long count = 0;
        if (qop != null) {
            try {
                count = Long.parseLong(nc, 16);
            } catch (NumberFormatException e) {
                return new Challenge(false, true);
            }
        }
        Nonces.Verdict v = ctx.nonces.use(nonce, count, ctx.time.millis());
        boolean ok = v == Nonces.Verdict.VALID || v == Nonces.Verdict.REPLAY && retransmission;
        return ok ? new Ok(user.get()) : new Challenge(true, false);
    }

    /** Answers with a fresh challenge (401 for REGISTER, 407 otherwise). */
    void challenge(Inbound in, boolean proxy, Challenge why) {
        String nonce = ctx.nonces.issue(ctx.time.millis());
        String realm = ctx.settings.domain();
        in.reply(proxy ? Response.PROXY_AUTHENTICATION_REQUIRED : Response.UNAUTHORIZED,
                why.failed() ? "bad credentials" : why.stale() ? "stale nonce" : "challenge", r -> {
                try {
                    WWWAuthenticateHeader w = proxy ? ctx.headers.createProxyAuthenticateHeader("Digest")
                            : ctx.headers.createWWWAuthenticateHeader("Digest");
                    w.setRealm(realm);
                    w.setNonce(nonce);
                    w.setAlgorithm("MD5");
                    w.setQop("auth");
                    if (why.stale()) {
                        w.setParameter("stale", "TRUE");
                    }
                    r.setHeader(w);
                } catch (ParseException e) {
                    throw new IllegalStateException("cannot build challenge", e);
                }
            });
    }

    private AuthorizationHeader credentials(Inbound in, boolean proxy) {
        ListIterator<?> it = in.request.getHeaders(proxy ? ProxyAuthorizationHeader.NAME : AuthorizationHeader.NAME);
        while (it != null && it.hasNext()) {
            Object o = it.next();
            if (o instanceof AuthorizationHeader h && "Digest".equalsIgnoreCase(h.getScheme())
                    && ctx.settings.domain().equalsIgnoreCase(h.getRealm())) {
                return h;
            }
        }
        return null;
    }

    private static String unquote(String s) {
        if (s != null && s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

}
