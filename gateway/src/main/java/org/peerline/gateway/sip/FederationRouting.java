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
    /** The longest a caller waits for a box behind NAT to connect back when asked through the overlay (or for a relay box). */
    static final long ATTACH_MILLIS = 4000;

    private final SipContext ctx;
    private final Proxy proxy;

    FederationRouting(SipContext ctx, Proxy proxy) {
        this.ctx = ctx;
        this.proxy = proxy;
    }

    /** Routes {@code in} to the box serving {@code aor}, or answers 404 when no box does. */
    void route(Inbound in, String aor, Directory directory) {
        Proxy.Pending pending = new Proxy.Pending(in);
        reach(in, aor, directory).whenComplete((found, e) -> ctx.outbound.execute(() -> {
            synchronized (pending) { // a CANCEL waits until the request has its proxy context
                if (!pending.resolve()) {
                    return;
                }
                if (e != null) {
                    in.reply(Response.TEMPORARILY_UNAVAILABLE, "overlay lookup of " + aor + " failed: " + reason(e));
                    return;
                }
                forward(in, aor, found);
            }
        }));
    }

    /** The boxes the overlay names for {@code aor}, and the hops to those that can be reached. */
    private record Found(int boxes, List<BoxHop> hops, String failure) {
    }

    /** How one box can be reached: a hop, or why not. */
    private record Reached(BoxHop hop, String failure) {
        static Reached by(BoxHop hop) {
            return new Reached(hop, null);
        }
    }

    /**
     * Looks {@code aor} up and finds a hop to each box serving it: the URI it published; for a box that
     * published a route through the overlay (behind a NAT without port forwarding), the connection it opened to
     * this box, asking it to open one (AppAttach) if there is none yet; and when that cannot work (this box
     * cannot be connected to either, or the box did not connect back), a third box's relay.
     */
    private CompletableFuture<Found> reach(Inbound in, String aor, Directory directory) {
        return lookup(directory.boxesFor(aor)).thenCompose(boxes -> {
            List<CompletableFuture<Reached>> reached = new ArrayList<>();
            for (Directory.Box box : boxes) {
                reached.add(reach(in, aor, box, directory));
            }
            return CompletableFuture.allOf(reached.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<BoxHop> hops = new ArrayList<>();
                String failure = null;
                for (CompletableFuture<Reached> r : reached) {
                    Reached x = r.join();
                    if (x.hop() != null) {
                        hops.add(x.hop());
                    } else if (x.failure() != null) {
                        failure = x.failure();
                    }
                }
                return new Found(boxes.size(), hops, failure);
            });
        });
    }

    private CompletableFuture<Reached> reach(Inbound in, String aor, Directory.Box box, Directory directory) {
        if (box.uri() != null) {
            Hop h = uriHop(in, aor, box.uri());
            return CompletableFuture.completedFuture(new Reached(h == null ? null : BoxHop.direct(h), null));
        }
        Hop flow = ctx.flows.toNode(box.node());
        if (flow != null) {
            return CompletableFuture.completedFuture(Reached.by(BoxHop.direct(flow)));
        }
        return attach(in, aor, box, directory).thenCompose(h -> h != null
                ? CompletableFuture.completedFuture(Reached.by(h)) : throughRelay(in, aor, box, directory));
    }

    /** Asks {@code box} through the overlay to connect to this box; its connection, or null if it did not. */
    private CompletableFuture<BoxHop> attach(Inbound in, String aor, Directory.Box box, Directory directory) {
        FederationPeers peers = ctx.federation;
        if (peers != null && !peers.reachable()) {
            return CompletableFuture.completedFuture(null); // it could not connect to us either
        }
        long t0 = ctx.time.nanos();
        return directory.attach(box.node()).orTimeout(ATTACH_MILLIS, TimeUnit.MILLISECONDS).handle((ok, e) -> {
            Hop h = e == null && Boolean.TRUE.equals(ok) ? ctx.flows.toNode(box.node()) : null;
            if (h == null) {
                TxLog.warn("{} to {}: box {} is reached only through the overlay and did not connect back ({})",
                        in.method(), aor, box.node(), e != null ? reason(e) : "it could not reach this box");
                return null;
            }
            TxLog.debug("{} to {}: box {} connected back from {} in {} ms (AppAttach)", in.method(), aor, box.node(), h,
                    (ctx.time.nanos() - t0) / 1_000_000);
            return BoxHop.direct(h);
        });
    }

    /** The hop to a third box that relays the call to {@code box}, or why there is none. */
    private CompletableFuture<Reached> throughRelay(Inbound in, String aor, Directory.Box box, Directory directory) {
        return directory.relayFor(box.node()).orTimeout(ATTACH_MILLIS, TimeUnit.MILLISECONDS).handle((r, e) -> {
            Hop h = r == null ? null : uriHop(in, aor, r.uri());
            if (h == null) {
                String failure = "box " + box.node() + " cannot be reached from this box and no relay box is available"
                        + (e != null ? " (" + reason(e) + ")" : "");
                TxLog.warn("{} to {}: {}", in.method(), aor, failure);
                return new Reached(null, failure);
            }
            TxLog.note("{} to {}: box {} and this box cannot reach each other; {}", in.method(), aor, box.node(),
                    r.why());
            return Reached.by(new BoxHop(h, box.node(), r.why()));
        });
    }

    /**
     * Carries {@code in}, sent by a box that cannot reach box {@code throughHex} (a Node-ID), on to that box: this
     * box is the third box whose relay takes the WAN leg. Only a box that relays media and can be connected to
     * does it (403 otherwise); the target box is reached over the connection it opened to this box, asked for
     * through the overlay if need be (480 if it does not come).
     */
    void relayOn(Inbound in, String aor, String throughHex, Directory directory) {
        FederationPeers peers = ctx.federation;
        if (ctx.media == null || peers == null || !peers.reachable() || directory == null) {
            in.refuse(Response.FORBIDDEN, "Not A Relay Box", in.box + " asked this box, which relays no calls"
                    + " between boxes, to carry a call to box " + throughHex);
            return;
        }
        org.peerline.overlay.api.NodeId target;
        try {
            target = org.peerline.overlay.api.NodeId.parse(throughHex);
        } catch (RuntimeException e) {
            in.refuse(Response.BAD_REQUEST, "Bad " + Proxy.RELAY_PARAM, "not a Node-ID: " + throughHex);
            return;
        }
        Hop flow = ctx.flows.toNode(target);
        Directory.Box box = new Directory.Box(target, null);
        CompletableFuture<BoxHop> hop = flow != null ? CompletableFuture.completedFuture(BoxHop.direct(flow))
                : attach(in, aor, box, directory);
        Proxy.Pending pending = new Proxy.Pending(in);
        hop.whenComplete((h, e) -> ctx.outbound.execute(() -> {
            synchronized (pending) {
                if (!pending.resolve()) {
                    return;
                }
                if (h == null) {
                    in.reply(Response.TEMPORARILY_UNAVAILABLE, "box " + target + " did not connect to this relay box");
                    return;
                }
                TxLog.note("{} to {}: relaying for {} to box {} over {}", in.method(), aor, in.box, target, h.hop());
                proxy.forkToBoxes(in, aor, List.of(h), false);
            }
        }));
    }

    /** The hop to a box's published URI, or null if it is unusable (logged) or this box's own. */
    private Hop uriHop(Inbound in, String aor, String u) {
        try {
            URI uri = ctx.addresses.createURI(u);
            if (uri instanceof SipURI su && !ctx.local.isLocal(su.getHost(), su.getPort())) {
                return Proxy.hopOf(uri);
            }
        } catch (ParseException | RuntimeException e) {
            TxLog.warn("{} to {}: the overlay names an unusable box URI {}: {}", in.method(), aor, u, e.toString());
        }
        return null;
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
            reach(in, target, directory).whenComplete((found, e2) -> ctx.outbound.execute(() -> {
                synchronized (pending) {
                    if (!pending.resolve()) {
                        return;
                    }
                    if (e2 != null) {
                        in.reply(Response.TEMPORARILY_UNAVAILABLE, "overlay lookup of " + target + " failed: "
                                + reason(e2));
                        return;
                    }
                    forward(in, target, found);
                }
            }));
        }));
    }

    private void forward(Inbound in, String aor, Found found) {
        List<BoxHop> boxes = found.hops();
        if (boxes.isEmpty()) {
            if (found.boxes() > 0 && found.failure() != null) {
                in.reply(Response.TEMPORARILY_UNAVAILABLE, found.failure());
            } else {
                in.reply(Response.NOT_FOUND, aor + " is served by no box of the federation");
            }
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
