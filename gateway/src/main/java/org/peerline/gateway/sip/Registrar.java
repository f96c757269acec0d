package org.peerline.gateway.sip;

import gov.nist.javax.sip.header.Contact;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import javax.sip.InvalidArgumentException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Response;
import org.peerline.gateway.routing.Binding;
import org.peerline.gateway.routing.BindingTable;
import org.peerline.gateway.routing.RecentRequests;
import org.peerline.provisioning.api.User;

/** The registrar (RFC 3261 §10.3): authenticates REGISTER and updates the binding table. */
final class Registrar {
    private final SipContext ctx;
    private final DigestAuth auth;

    Registrar(SipContext ctx, DigestAuth auth) {
        this.ctx = ctx;
        this.auth = auth;
    }

    void register(Inbound in) {
        ToHeader to = (ToHeader) in.request.getHeader(ToHeader.NAME);
        URI toUri = to.getAddress().getURI();
        if (!(toUri instanceof SipURI toSip)) {
            in.refuse(Response.BAD_REQUEST, "To Must Be a SIP URI", "To is not a SIP URI");
            return;
        }
        URI ruri = in.request.getRequestURI();
        if (!(ruri instanceof SipURI rs) || !ctx.isOurDomain(rs.getHost()) || !ctx.isOurDomain(toSip.getHost())) {
            in.refuse(Response.FORBIDDEN, "Not Our Domain", "foreign domain");
            return;
        }
        ViaHeader top = (ViaHeader) in.request.getHeader(ViaHeader.NAME);
        long fingerprint = RecentRequests.fingerprint(top == null ? null : top.getBranch(),
                top == null ? null : top.getHost() + ":" + top.getPort(),
                ((CallIdHeader) in.request.getHeader(CallIdHeader.NAME)).getCallId(),
                String.valueOf(((CSeqHeader) in.request.getHeader(CSeqHeader.NAME)).getSeqNumber()), in.source());
        boolean retransmission = ctx.recentRegisters.seen(fingerprint);
        User user;
        if (ctx.trusted(in.sourceAddress)) {
            var named = ctx.user(toSip.getUser());
            if (named.isEmpty()) {
                in.reply(Response.NOT_FOUND, "unknown user (trusted source)");
                return;
            }
            user = named.get();
        } else {
            DigestAuth.Result result = auth.check(in, false, retransmission);
            if (result instanceof DigestAuth.Challenge c) {
                if (c.failed() && ctx.guard.authFailed(in.sourceIp, ctx.time.nanos())) {
                    TxLog.warn("blocking {} for {}s after repeated authentication failures", in.sourceIp,
                            ctx.settings.security().blockTime().toSeconds());
                }
                auth.challenge(in, false, c);
                return;
            }
            user = ((DigestAuth.Ok) result).user();
            if (!SipContext.names(user, toSip.getUser())) {
                in.refuse(Response.FORBIDDEN, "Credentials Do Not Match To",
                        "user " + user.name() + " may not register " + toSip.getUser());
                return;
            }
        }
        if (apply(in, ctx.aor(user), retransmission)) {
            ctx.recentRegisters.remember(fingerprint);
        }
    }

    /** Applies the REGISTER's contacts and answers; true if it was answered 200. */
    private boolean apply(Inbound in, String aor, boolean retransmission) {
        long now = ctx.time.millis();
        var reg = ctx.settings.registrar();
        CallIdHeader callId = (CallIdHeader) in.request.getHeader(CallIdHeader.NAME);
        long cseq = ((CSeqHeader) in.request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        ExpiresHeader expiresHeader = in.request.getExpires();
        int defaultExpires = expiresHeader == null ? reg.defaultExpires() : expiresHeader.getExpires();

        List<ContactHeader> contacts = new ArrayList<>();
        ListIterator<?> it = in.request.getHeaders(ContactHeader.NAME);
        while (it != null && it.hasNext()) {
            contacts.add((ContactHeader) it.next());
        }
        BindingTable.Outcome outcome;
        if (contacts.isEmpty()) {
            outcome = new BindingTable.Applied(ctx.bindings.lookup(aor, now));
        } else if (contacts.stream().anyMatch(c -> ((Contact) c).isWildCard())) {
            if (contacts.size() != 1 || expiresHeader == null || expiresHeader.getExpires() != 0) {
                in.reply(Response.BAD_REQUEST, "Contact * needs Expires: 0 and no other contact");
                return false;
            }
            outcome = ctx.bindings.removeAll(aor, callId.getCallId(), cseq, now, retransmission);
        } else {
            List<BindingTable.Change> changes = new ArrayList<>();
            String userAgent = userAgent(in);
            ViaHeader via = (ViaHeader) in.request.getHeader(ViaHeader.NAME);
            boolean rport = via != null && via.getParameter("rport") != null;
            for (ContactHeader c : contacts) {
                long expires = c.getExpires() >= 0 ? c.getExpires() : defaultExpires;
                if (expires > 0 && expires < reg.minExpires()) {
                    in.reply(Response.INTERVAL_TOO_BRIEF, "expires " + expires + " < " + reg.minExpires(), r -> {
                        try {
                            r.setHeader(ctx.headers.createMinExpiresHeader(reg.minExpires()));
                        } catch (InvalidArgumentException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    return false;
                }
                URI uri = c.getAddress().getURI();
                boolean behindNat = rport || !(uri instanceof SipURI su) || !in.sourceIp.equals(su.getHost())
                        || portOf(su) != in.sourcePort;
                float q = c.getQValue() < 0 ? 1.0f : c.getQValue();
                changes.add(new BindingTable.Change(uri.toString(), q, Math.min(expires, reg.maxExpires()),
                        in.source(), behindNat, userAgent));
            }
            outcome = ctx.bindings.register(aor, callId.getCallId(), cseq, changes, now, retransmission);
        }
        if (outcome instanceof BindingTable.OutOfOrder o) {
            in.refuse(Response.SERVER_INTERNAL_ERROR, "Out Of Order CSeq",
                    "CSeq " + cseq + " <= stored " + o.storedCseq());
            return false;
        }
        List<Binding> now2 = ((BindingTable.Applied) outcome).bindings();
        in.reply(Response.OK, aor + " contacts=" + now2.size(), r -> {
            try {
                for (Binding b : now2) {
                    ContactHeader ch = ctx.headers.createContactHeader(ctx.addresses.createAddress(
                            ctx.addresses.createURI(b.contact())));
                    ch.setExpires((int) Math.min(Integer.MAX_VALUE, b.secondsLeft(now)));
                    if (b.q() < 1.0f) {
                        ch.setQValue(b.q());
                    }
                    r.addHeader(ch);
                }
                r.setHeader(ctx.headers.createDateHeader(java.util.Calendar.getInstance(
                        java.util.TimeZone.getTimeZone("GMT"))));
            } catch (ParseException | InvalidArgumentException e) {
                throw new IllegalStateException("cannot list bindings", e);
            }
        });
        return true;
    }

    private static String userAgent(Inbound in) {
        UserAgentHeader ua = (UserAgentHeader) in.request.getHeader(UserAgentHeader.NAME);
        if (ua == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        ListIterator<?> p = ua.getProduct();
        while (p != null && p.hasNext()) {
            sb.append(p.next());
        }
        return sb.toString().trim();
    }

    static int portOf(SipURI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return uri.isSecure() || "tls".equalsIgnoreCase(uri.getTransportParam()) ? 5061 : 5060;
    }
}
