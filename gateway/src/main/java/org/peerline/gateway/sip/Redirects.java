package org.peerline.gateway.sip;

import java.text.ParseException;
import java.util.List;
import javax.sip.ListeningPoint;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.message.Response;
import org.peerline.gateway.routing.Binding;
import org.peerline.provisioning.api.User;

/**
 * Redirect mode, the serving box's side. Asked by a box over the federation link to redirect a call to one of
 * its users, this box answers 302 with a Contact the caller's phone can reach it at directly (its own phone
 * socket), carrying a ticket: this box's HMAC over the AOR and an expiry a minute ahead. A phone that follows
 * the redirect presents the ticket in the Request-URI and is let in without credentials of this site, for that
 * user only; without a valid ticket it is challenged like any stranger. The key never leaves this box, so the
 * redirecting box needs no secret of its own.
 */
final class Redirects {
    static final String TICKET_PARAM = "pl-rd";
    static final int TICKET_SECONDS = 60;
    private static final String PURPOSE = "redirect";

    private final SipContext ctx;

    Redirects(SipContext ctx) {
        this.ctx = ctx;
    }

    /** Answers {@code in} (an INVITE from a box for {@code user}) with 302 to this box, or 480 if the user has no phone. */
    void redirect(Inbound in, User user) {
        String aor = ctx.aor(user);
        List<Binding> contacts = ctx.bindings.lookup(aor, ctx.time.millis());
        if (contacts.isEmpty()) {
            in.reply(Response.TEMPORARILY_UNAVAILABLE, aor + " has no registered contact");
            return;
        }
        ListeningPoint lp = phoneSocket(in);
        if (lp == null) {
            in.reply(Response.TEMPORARILY_UNAVAILABLE, "this box has no phone socket to redirect to");
            return;
        }
        long expiry = ctx.time.millis() / 1000 + TICKET_SECONDS;
        try {
            SipURI uri = ctx.addresses.createSipURI(user.name(), lp.getIPAddress());
            uri.setPort(lp.getPort());
            if (!ListeningPoint.UDP.equalsIgnoreCase(lp.getTransport())) {
                uri.setTransportParam(lp.getTransport().toLowerCase(java.util.Locale.ROOT));
            }
            uri.setParameter(TICKET_PARAM, expiry + "." + ctx.routes.sign(PURPOSE, aor + "|" + expiry));
            ContactHeader contact = ctx.headers.createContactHeader(ctx.addresses.createAddress(uri));
            contact.setExpires(TICKET_SECONDS);
            in.reply(Response.MOVED_TEMPORARILY, "redirected to " + uri, r -> r.setHeader(contact));
        } catch (ParseException | javax.sip.InvalidArgumentException e) {
            in.reply(Response.SERVER_INTERNAL_ERROR, "cannot build the redirect: " + e.getMessage());
        }
    }

    /** True if {@code ruri} carries a ticket this box issued for {@code user} that has not expired. */
    boolean admitted(SipURI ruri, User user) {
        String ticket = ruri.getParameter(TICKET_PARAM);
        if (ticket == null) {
            return false;
        }
        int dot = ticket.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expiry;
        try {
            expiry = Long.parseLong(ticket.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        return expiry >= ctx.time.millis() / 1000
                && ctx.routes.verify(PURPOSE, ctx.aor(user) + "|" + expiry, ticket.substring(dot + 1));
    }

    /** The socket phones use on the address the box's request came in on (UDP first), else on any address. */
    private ListeningPoint phoneSocket(Inbound in) {
        LocalEndpoints.Endpoint ep = ctx.local.of(in.provider);
        for (String t : new String[] {"udp", "tcp"}) {
            if (ep.point(t) != null) {
                return ep.point(t);
            }
        }
        for (LocalEndpoints.Endpoint e : ctx.local.all()) {
            for (String t : new String[] {"udp", "tcp"}) {
                if (e.point(t) != null) {
                    return e.point(t);
                }
            }
        }
        return null;
    }
}
