package org.peerline.gateway.sip;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Routing beyond this box (issue 4, flow 2): a request for a user this box does not serve is looked up in the
 * federation's {@link Directory} and forwarded to the box that serves the user, over the federation's TLS
 * links. The order is local binding (done before), then overlay lookup, then 404. A dialled extension that no
 * local user has is looked up among the federation's global extensions; two sites claiming it give 485
 * Ambiguous with both AORs as Contacts, never a guess. In redirect mode ({@code overlay.redirect}) an INVITE
 * goes to the serving box all the same, marked so that the box answers 302 with where the phone may call it
 * directly (see {@link Redirects}); this box relays that answer.
 */
final class FederationRouting {
    /** The longest a caller waits for the overlay to answer a lookup before getting 480. */
    static final long LOOKUP_MILLIS = 4000;

    private final SipContext ctx;
    private final Proxy proxy;

    FederationRouting(SipContext ctx, Proxy proxy) {
        this.ctx = ctx;
        this.proxy = proxy;
    }

    /** Routes {@code in} to the box serving {@code aor}, or answers 404 when no box does. */
    void route(Inbound in, String aor, Directory directory) {
        Proxy.Pending pending = new Proxy.Pending(in);
        lookup(directory.boxesFor(aor)).whenComplete((uris, e) -> ctx.outbound.execute(() -> {
            synchronized (pending) { // a CANCEL waits until the request has its proxy context
                if (!pending.resolve()) {
                    return;
                }
                if (e != null) {
                    in.reply(Response.TEMPORARILY_UNAVAILABLE, "overlay lookup of " + aor + " failed: " + reason(e));
                    return;
                }
                forward(in, aor, uris);
            }
        }));
    }

    /**
     * Routes a request for {@code user} of this box's domain whom this box does not have: an extension of
     * another site, or a user of this domain served by another box.
     */
    void routeUnknownLocal(Inbound in, String user, String aor, Directory directory) {
        if (!isExtension(user)) {
            route(in, aor, directory);
            return;
        }
        Proxy.Pending pending = new Proxy.Pending(in);
        lookup(directory.extension(user)).whenComplete((aors, e) -> ctx.outbound.execute(() -> {
            if (e != null) {
                if (pending.resolve()) {
                    in.reply(Response.TEMPORARILY_UNAVAILABLE, "overlay lookup of extension " + user + " failed: " + reason(e));
                }
                return;
            }
            if (aors.size() > 1) {
                if (pending.resolve()) {
                    ambiguous(in, user, aors);
                }
                return;
            }
            if (aors.isEmpty()) {
                if (pending.resolve()) {
                    in.reply(Response.NOT_FOUND, "no user or extension " + user + " in the federation");
                }
                return;
            }
            String target = aors.get(0);
            lookup(directory.boxesFor(target)).whenComplete((uris, e2) -> ctx.outbound.execute(() -> {
                synchronized (pending) {
                    if (!pending.resolve()) {
                        return;
                    }
                    if (e2 != null) {
                        in.reply(Response.TEMPORARILY_UNAVAILABLE, "overlay lookup of " + target + " failed: "
                                + reason(e2));
                        return;
                    }
                    forward(in, target, uris);
                }
            }));
        }));
    }

    private void forward(Inbound in, String aor, List<String> uris) {
        List<Hop> boxes = new ArrayList<>();
        for (String u : uris) {
            try {
                URI uri = ctx.addresses.createURI(u);
                if (uri instanceof SipURI su && !ctx.local.isLocal(su.getHost(), su.getPort())) {
                    boxes.add(Proxy.hopOf(uri));
                }
            } catch (ParseException | RuntimeException e) {
                TxLog.warn("{} to {}: the overlay names an unusable box URI {}: {}", in.method(), aor, u, e.toString());
            }
        }
        if (boxes.isEmpty()) {
            in.reply(Response.NOT_FOUND, aor + " is served by no box of the federation");
            return;
        }
        TxLog.debug("{} to {}: the overlay says {}", in.method(), aor, boxes);
        FederationPeers peers = ctx.federation;
        boolean redirect = Request.INVITE.equals(in.method()) && peers != null
                && peers.redirects(aor.substring(aor.lastIndexOf('@') + 1));
        proxy.forkToBoxes(in, aor, boxes, redirect);
    }

    /** RFC 3261 §21.4.23: the extension is claimed by several users; the caller sees which. */
    private void ambiguous(Inbound in, String extension, List<String> aors) {
        TxLog.warn("extension {} is claimed by {} sites: {}; refusing to guess", extension, aors.size(), aors);
        in.reply(Response.AMBIGUOUS, "extension " + extension + " is claimed by " + aors, r -> {
            for (String a : aors) {
                try {
                    ContactHeader h = ctx.headers.createContactHeader(ctx.addresses.createAddress(a));
                    r.addHeader(h);
                } catch (ParseException e) {
                    // an AOR we cannot show is left out
                }
            }
        });
    }

    private static <T> CompletableFuture<T> lookup(CompletableFuture<T> f) {
        return f.orTimeout(LOOKUP_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static String reason(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof TimeoutException ? "no answer within " + LOOKUP_MILLIS + " ms" : String.valueOf(t.getMessage());
    }

    /** Extensions are what phones dial: digits, maybe a leading '+', '*' or '#'. */
    static boolean isExtension(String user) {
        return user.matches("[+*#]?[0-9]{1,15}");
    }
}
