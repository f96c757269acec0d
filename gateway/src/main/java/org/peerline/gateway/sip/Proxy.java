package org.peerline.gateway.sip;

import gov.nist.javax.sip.Utils;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.HopImpl;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.peerline.gateway.routing.Binding;

/**
 * The stateful proxy (RFC 3261 §16): forks a request to every contact of the target, relays
 * provisional and final responses, cancels pending branches on CANCEL or on a 2xx to INVITE, and
 * forwards in-dialog requests along the Record-Route path. Phones behind NAT are reached at the
 * address their signalling came from: registrations remember it, and Contact URIs of dialog-forming
 * messages from a NATed phone carry it in a {@code pl-nat} URI parameter that the box itself strips
 * again (the "contact alias" technique), so in-dialog requests find the phone without dialog state.
 */
final class Proxy {
    static final String NAT_PARAM = "pl-nat";
    /**
     * How long another box may take to show it is alive (its 100 Trying, which boxes send at once to every
     * request from a box, RFC 4320 §4.1 allowing it over TLS) before the caller gets 480: a box that is down
     * must fail calls within 2 s, not after Timer B's 32 s.
     */
    static final long BOX_ANSWER_MILLIS = 1500;
    static final String SIG_PARAM = "pl";
    /** Request-URI parameter by which a box asks the serving box to answer 302 rather than ring (redirect mode). */
    /**
     * Request-URI parameter of a request a box sends to a third box to carry on to box (Node-ID) {@code pl-relay}
     * because the two cannot reach each other; the relay box removes it.
     */
    static final String RELAY_PARAM = "pl-relay";
    static final String REDIRECT_PARAM = "pl-redirect";
    private static final Set<String> DIALOG_FORMING = Set.of(Request.INVITE, Request.SUBSCRIBE, Request.REFER,
            Request.UPDATE, Request.NOTIFY);

    private final SipContext ctx;

    Proxy(SipContext ctx) {
        this.ctx = ctx;
    }

    /** One proxied request and its branches; guarded by its own monitor. */
    private static final class Context {
        final Inbound in;
        final String target;
        final List<Branch> branches = new ArrayList<>();
        Response best;
        boolean finalSent;
        ScheduledFuture<?> timerC;
        /** Why a box a branch went to failed, for the 480 the caller gets when no branch answered. */
        String boxFailure;
        /** The request came from the caller's side of the dialog (for the relay: whose leg a body is from). */
        boolean fromCaller = true;
        /** The request opens a dialog (an initial INVITE): a final failure ends its relayed media. */
        boolean initial;

        Context(Inbound in, String target) {
            this.in = in;
            this.target = target;
        }
    }

    /** One forwarded copy of the request. */
    private static final class Branch {
        final Context context;
        final Hop hop;
        final SipProvider provider;
        /** The branch goes to another box of the federation, not to a phone. */
        final boolean box;
        ClientTransaction transaction;
        boolean answered;
        boolean provisional;
        boolean done;
        boolean cancelWanted;

        Branch(Context context, Hop hop, SipProvider provider, boolean box) {
            this.context = context;
            this.hop = hop;
            this.provider = provider;
            this.box = box;
        }
    }

    /**
     * An INVITE waiting for the overlay to say where its target is: a CANCEL in the meantime answers it with
     * 487, and the lookup's result is then dropped.
     */
    static final class Pending {
        private final Inbound in;
        private boolean cancelled;
        private boolean resolved;

        Pending(Inbound in) {
            this.in = in;
            if (in.transaction != null) {
                in.transaction.setApplicationData(this);
            }
        }

        /** True if the request may go on; false if it was cancelled while the lookup ran. */
        synchronized boolean resolve() {
            resolved = true;
            return !cancelled;
        }

        /**
         * Cancels the request if its lookup is still running; false if the lookup is done, the request then
         * having its proxy context (resolving and forwarding hold this monitor, so there is no moment between).
         */
        synchronized boolean cancel() {
            if (resolved) {
                return false;
            }
            if (!cancelled) {
                cancelled = true;
                in.reply(Response.REQUEST_TERMINATED, "cancelled by caller during the overlay lookup");
            }
            return true;
        }
    }

    /**
     * Forwards an out-of-dialog request to the boxes the overlay says serve {@code aor}, over the
     * federation's TLS links; the Request-URI becomes the AOR.
     */
    void forkToBoxes(Inbound in, String aor, List<BoxHop> boxes, boolean redirect) {
        Context c = new Context(in, aor);
        c.initial = Request.INVITE.equals(in.method());
        if (in.transaction != null) {
            in.transaction.setApplicationData(c);
        }
        String route = boxes.stream().map(BoxHop::why).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (!redirect && !relayBody(in, in.request, true, new MediaSessions.Sides(in.box != null, true, route))) {
            return;
        }
        synchronized (c) {
            for (BoxHop box : boxes) {
                Hop hop = box.hop();
                try {
                    URI target = ctx.addresses.createURI(aor);
                    if (redirect && target instanceof SipURI su) {
                        su.setParameter(REDIRECT_PARAM, "1");
                    }
                    if (box.through() != null && target instanceof SipURI su) {
                        su.setParameter(RELAY_PARAM, box.through().toString()); // the relay box takes it on there
                    }
                    Request fwd = prepare(in, target);
                    if (!redirect) {
                        recordRoute(in, fwd, hop);
                    }
                    Branch b = start(c, fwd, hop, true);
                    ctx.timers.schedule(() -> boxSilent(b), BOX_ANSWER_MILLIS, TimeUnit.MILLISECONDS);
                } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
                    TxLog.warn("{} to {}: cannot forward to the box at {}: {}", in.method(), aor, hop, e.toString());
                    c.boxFailure = "cannot send to the box at " + hop + ": " + e.getMessage();
                }
            }
            if (c.branches.isEmpty()) {
                finish(c, Response.TEMPORARILY_UNAVAILABLE, c.boxFailure != null ? c.boxFailure : "no box to send to");
            } else if (Request.INVITE.equals(in.method())) {
                restartTimerC(c);
            }
        }
    }

    /** A box that has not answered at all after {@link #BOX_ANSWER_MILLIS} is taken for down. */
    private void boxSilent(Branch b) {
        Context c = b.context;
        synchronized (c) {
            if (b.answered || b.done) {
                return;
            }
            b.done = true;
            b.cancelWanted = true; // should it wake up and ring after all
            c.boxFailure = "the box at " + b.hop + " did not answer within " + BOX_ANSWER_MILLIS + " ms";
            TxLog.warn("{} to {} call-id={}: {}", c.in.method(), c.target, TxLog.callId(c.in.request), c.boxFailure);
            finishIfDone(c);
        }
    }
    /** Forks an out-of-dialog request to the given contacts of a local user. */
    void fork(Inbound in, String aor, List<Binding> targets) {
        Context c = new Context(in, aor);
        c.initial = Request.INVITE.equals(in.method());
        if (in.transaction != null) {
            in.transaction.setApplicationData(c);
        }
        if (!relayBody(in, in.request, true, new MediaSessions.Sides(in.box != null, false, null))) {
            return;
        }
        synchronized (c) {
            for (Binding b : targets) {
                try {
                    URI uri = ctx.addresses.createURI(b.contact());
                    Request fwd = prepare(in, uri);
                    Hop hop = b.viaSource() ? hop(b.source()) : hopOf(uri);
                    recordRoute(in, fwd, hop);
                    start(c, fwd, hop, false);
                } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
                    TxLog.warn("{} to {}: cannot fork to {}: {}", in.method(), aor, b.contact(), e.toString());
                }
            }
            if (c.branches.isEmpty()) {
                finish(c, Response.TEMPORARILY_UNAVAILABLE, "no reachable contact");
            } else if (Request.INVITE.equals(in.method())) {
                restartTimerC(c);
            }
        }
    }

    /**
     * RFC 3261 §16.6 step 11 and §16.8: an INVITE that rings and rings gets no final answer from the
     * client transaction (Timer B stops at the first provisional), so the proxy gives up itself after
     * Timer C, restarted by every provisional: it cancels the branches and answers 408.
     */
    private void restartTimerC(Context c) {
        if (c.timerC != null) {
            c.timerC.cancel(false);
        }
        c.timerC = ctx.timers.schedule(() -> timerC(c), ctx.settings.timerC().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void timerC(Context c) {
        synchronized (c) {
            if (c.finalSent) {
                return;
            }
            for (Branch b : c.branches) {
                if (!b.done) {
                    if (b.provisional) {
                        sendCancel(b);
                    } else {
                        b.cancelWanted = true;
                    }
                }
            }
            finish(c, Response.REQUEST_TIMEOUT, "no final answer within Timer C (" + ctx.settings.timerC().toSeconds() + " s)");
        }
    }

    /** Forwards a request along its Route set or to its Request-URI (in-dialog requests), statefully. */
    void forwardRouted(Inbound in) {
        Context c = new Context(in, "route");
        if (in.transaction != null) {
            in.transaction.setApplicationData(c);
        }
        MediaSessions media = ctx.media;
        if (media != null) {
            c.fromCaller = media.fromCaller(callId(in.request), fromTag(in.request));
            if (!relayBody(in, in.request, c.fromCaller, inDialogSides(in, c.fromCaller))) {
                return;
            }
            if (Request.BYE.equals(in.method())) {
                media.close(callId(in.request)); // the call is over: its ports go back now
            }
        }
        synchronized (c) {
            try {
                Request fwd = prepare(in, null);
                Hop hop = nextHop(fwd);
                start(c, fwd, hop, "tls".equalsIgnoreCase(hop.getTransport()));
            } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
                TxLog.warn("{} in dialog: cannot forward: {}", in.method(), e.toString());
                finish(c, Response.SERVICE_UNAVAILABLE, "cannot forward: " + e.getMessage());
            }
        }
    }

    /** Forwards an ACK for a 2xx statelessly (it has no transaction of its own at a proxy). */
    void forwardAck(Inbound in) {
        MediaSessions media = ctx.media;
        boolean fromCaller = media != null && media.fromCaller(callId(in.request), fromTag(in.request));
        if (media != null && !relayBody(in, in.request, fromCaller, inDialogSides(in, fromCaller))) {
            return;
        }
        try {
            Request fwd = prepare(in, null);
            Hop hop = ctx.flows.route(nextHop(fwd));
            LocalEndpoints.Endpoint ep = ctx.local.towards(hop.getHost(), hop.getTransport());
            fwd.addFirst(via(ep, hop.getTransport()));
            NextHopRouter.via(hop, () -> {
                ep.provider().sendRequest(fwd);
                return null;
            });
        } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            TxLog.dropped(in.request, in.source(), "ACK not forwarded: " + e);
        }
    }

    /** Cancels the pending branches of the INVITE a CANCEL matched, and answers that INVITE with 487. */
    void cancel(Object inviteContext) {
        if (inviteContext instanceof Pending p) {
            if (p.cancel() || p.in.transaction == null) {
                return;
            }
            inviteContext = p.in.transaction.getApplicationData(); // forwarded meanwhile: cancel its branches
        }
        if (!(inviteContext instanceof Context c)) {
            return;
        }
        synchronized (c) {
            for (Branch b : c.branches) {
                if (!b.done) {
                    if (b.provisional) {
                        sendCancel(b);
                    } else {
                        b.cancelWanted = true;
                    }
                }
            }
            if (!c.finalSent) {
                finish(c, Response.REQUEST_TERMINATED, "cancelled by caller");
            }
        }
    }

    /** A response to one of our branches, or a stray retransmitted 2xx. */
    void response(ResponseEvent ev) {
        Response resp = ev.getResponse();
        ClientTransaction ct = ev.getClientTransaction();
        if (ct != null && ct.getApplicationData() instanceof DialBack.Attempt a) {
            if (resp.getStatusCode() >= 200) {
                a.answered(resp);
            }
            return;
        }
        if (ct == null || !(ct.getApplicationData() instanceof Branch b)) {
            if (ct == null) {
                forwardStray(resp);
            }
            return;
        }
        Response out = (Response) resp.clone();
        out.removeFirst(ViaHeader.NAME);
        int code = resp.getStatusCode();
        Context c = b.context;
        if (code > 100 && code < 300 && !relayAnswer(c, resp, out)) {
            return;
        }
        synchronized (c) {
            b.answered = true;
            if (b.box && code == Response.SERVICE_UNAVAILABLE
                    && !(resp instanceof SIPMessage m && m.getRemoteAddress() != null)) {
                // the stack's own 503 for a connection that failed: the box is down
                c.boxFailure = "cannot connect to the box at " + b.hop + " (" + resp.getReasonPhrase() + ")";
                b.done = true;
                TxLog.warn("{} to {} call-id={}: {}", c.in.method(), c.target, TxLog.callId(c.in.request), c.boxFailure);
                finishIfDone(c);
                return;
            }
            if (b.done && code < 200) {
                if (b.cancelWanted) {
                    sendCancel(b); // a box that was given up for dead woke up and rings: stop it
                }
                return;
            }
            if (code < 200) {
                b.provisional = true;
                if (b.cancelWanted) {
                    sendCancel(b);
                    return;
                }
                if (code > 100 && !c.finalSent) {
                    if (!b.box) {
                        aliasContact(out, resp, b.hop.getTransport());
                    }
                    c.in.send(out);
                    if (c.timerC != null) {
                        restartTimerC(c);
                    }
                }
                return;
            }
            b.done = true;
            if (code < 300) {
                if (!b.box) {
                    aliasContact(out, resp, b.hop.getTransport());
                }
                boolean first = !c.finalSent;
                c.finalSent = true;
                if (c.timerC != null) {
                    c.timerC.cancel(false);
                }
                c.in.send(out);
                if (first) {
                    TxLog.outcome(c.in.request, c.in.source(), code, "from " + b.hop, c.in.startNanos, ctx.time.nanos());
                }
                if (Request.INVITE.equals(c.in.method())) {
                    for (Branch other : c.branches) {
                        if (other != b && !other.done) {
                            if (other.provisional) {
                                sendCancel(other);
                            } else {
                                other.cancelWanted = true;
                            }
                        }
                    }
                }
                return;
            }
            if (c.best == null || better(code, c.best.getStatusCode())) {
                c.best = out;
            }
            finishIfDone(c);
        }
    }

    /** A branch's client transaction timed out: it counts as a 408 from that branch. */
    void timeout(ClientTransaction ct) {
        if (ct.getApplicationData() instanceof DialBack.Attempt a) {
            a.failed();
            return;
        }
        if (!(ct.getApplicationData() instanceof Branch b)) {
            return;
        }
        Context c = b.context;
        synchronized (c) {
            b.done = true;
            if (b.box) {
                c.boxFailure = "no answer from the box at " + b.hop;
            }
            finishIfDone(c);
        }
    }

    private void finishIfDone(Context c) {
        for (Branch b : c.branches) {
            if (!b.done) {
                return;
            }
        }
        if (c.finalSent) {
            return;
        }
        if (c.best == null) {
            if (c.boxFailure != null) {
                finish(c, Response.TEMPORARILY_UNAVAILABLE, c.boxFailure);
            } else {
                finish(c, Response.REQUEST_TIMEOUT, "no answer from " + c.target);
            }
            return;
        }
        c.finalSent = true;
        if (c.timerC != null) {
            c.timerC.cancel(false);
        }
        Response best = c.best;
        if (best.getStatusCode() == Response.SERVICE_UNAVAILABLE) {
            finish(c, Response.SERVER_INTERNAL_ERROR, "branch answered 503");
            return;
        }
        endMedia(c, best.getStatusCode());
        c.in.send(best);
        TxLog.outcome(c.in.request, c.in.source(), best.getStatusCode(), "best of " + c.branches.size() + " branch(es)",
                c.in.startNanos, ctx.time.nanos());
    }

    private void finish(Context c, int code, String detail) {
        endMedia(c, code);
        c.finalSent = true;
        if (c.timerC != null) {
            c.timerC.cancel(false);
        }
        c.in.reply(code, detail);
    }

    /** A failed initial INVITE (or one cancelled, or out of Timer C) leaves no media behind. */
    private void endMedia(Context c, int code) {
        MediaSessions media = ctx.media;
        if (media != null && c.initial && code >= 300) {
            media.close(callId(c.in.request));
        }
    }

    /**
     * Points the SDP body of {@code msg} (sent by the caller's side if {@code fromCaller}) at the relay, when
     * the box relays media. False after answering the request when its SDP cannot be relayed: 488 for a body
     * that is not SDP, 503 when the relay has no ports left.
     */
    private boolean relayBody(Inbound in, Request msg, boolean fromCaller, MediaSessions.Sides sides) {
        MediaSessions media = ctx.media;
        if (media == null || !isSdp(msg)) {
            return true;
        }
        try {
            String body = media.rewrite(callId(msg), fromTag(msg), fromCaller, in.sourceAddress,
                    new String(msg.getRawContent(), java.nio.charset.StandardCharsets.UTF_8), sides);
            msg.setContent(body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    (ContentTypeHeader) msg.getHeader(ContentTypeHeader.NAME));
            return true;
        } catch (IllegalArgumentException e) {
            if (!Request.ACK.equals(msg.getMethod())) {
                in.refuse(Response.NOT_ACCEPTABLE_HERE, "Not Acceptable Here (SDP)", "SDP: " + e.getMessage());
            }
        } catch (java.io.IOException e) {
            if (!Request.ACK.equals(msg.getMethod())) {
                in.refuse(Response.SERVICE_UNAVAILABLE, "Media Relay Full", e.getMessage());
            }
        } catch (ParseException e) {
            if (!Request.ACK.equals(msg.getMethod())) {
                in.reply(Response.SERVER_INTERNAL_ERROR, "cannot set the relayed SDP: " + e.getMessage());
            }
        }
        return false;
    }

    /**
     * What faces each side of a dialog whose media this box does not know (it restarted during the call): the
     * sender's side is a box if the request came over a federation link; the other side is taken for a phone.
     */
    private static MediaSessions.Sides inDialogSides(Inbound in, boolean fromCaller) {
        boolean senderIsBox = in.box != null;
        return fromCaller ? new MediaSessions.Sides(senderIsBox, false, null)
                : new MediaSessions.Sides(false, senderIsBox, null);
    }

    /** Points an answer's (or a provisional's) SDP at the relay; false if it had to be dropped. */
    private boolean relayAnswer(Context c, Response received, Response out) {
        MediaSessions media = ctx.media;
        if (media == null || !isSdp(out)) {
            return true;
        }
        java.net.InetAddress source = received instanceof SIPMessage m && m.getRemoteAddress() != null
                ? m.getRemoteAddress() : null;
        try {
            String body = media.rewrite(callId(c.in.request), fromTag(c.in.request), !c.fromCaller, source,
                    new String(out.getRawContent(), java.nio.charset.StandardCharsets.UTF_8), MediaSessions.Sides.PHONES);
            out.setContent(body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    (ContentTypeHeader) out.getHeader(ContentTypeHeader.NAME));
            return true;
        } catch (IllegalArgumentException | java.io.IOException | ParseException e) {
            TxLog.warn("{} call-id={}: the callee's SDP cannot be relayed ({}); its {} is not forwarded", c.in.method(),
                    callId(c.in.request), e.getMessage(), received.getStatusCode());
            return false;
        }
    }

    private static boolean isSdp(javax.sip.message.Message m) {
        ContentTypeHeader ct = (ContentTypeHeader) m.getHeader(ContentTypeHeader.NAME);
        return ct != null && "application".equalsIgnoreCase(ct.getContentType())
                && "sdp".equalsIgnoreCase(ct.getContentSubType()) && m.getRawContent() != null
                && m.getRawContent().length > 0;
    }

    private static String callId(Request r) {
        return ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    }

    private static String fromTag(Request r) {
        return ((javax.sip.header.FromHeader) r.getHeader(javax.sip.header.FromHeader.NAME)).getTag();
    }

    /** RFC 3261 §16.7 step 6: 6xx wins, else the lowest class; 408 (local timeout) loses to any real answer. */
    private static boolean better(int candidate, int current) {
        if (current / 100 == 6) {
            return false;
        }
        if (candidate / 100 == 6) {
            return true;
        }
        if (current == Response.REQUEST_TIMEOUT && candidate != Response.REQUEST_TIMEOUT) {
            return true;
        }
        return candidate / 100 < current / 100;
    }

    private Branch start(Context c, Request fwd, Hop next, boolean box)
            throws SipException, ParseException, InvalidArgumentException {
        Hop hop = ctx.flows.route(next); // a box behind NAT: over the connection it opened
        LocalEndpoints.Endpoint ep = ctx.local.towards(hop.getHost(), hop.getTransport());
        if (ep.point(hop.getTransport()) == null) {
            throw new SipException("this box has no " + hop.getTransport() + " socket to reach " + hop);
        }
        fwd.addFirst(via(ep, hop.getTransport()));
        Branch b = new Branch(c, hop, ep.provider(), box);
        NextHopRouter.via(hop, () -> {
            ClientTransaction ct = ep.provider().getNewClientTransaction(fwd);
            ct.setApplicationData(b);
            b.transaction = ct;
            c.branches.add(b);
            ct.sendRequest();
            return null;
        });
        return b;
    }

    private void sendCancel(Branch b) {
        b.cancelWanted = false;
        try {
            NextHopRouter.via(b.hop, () -> {
                Request cancel = b.transaction.createCancel();
                b.provider.getNewClientTransaction(cancel).sendRequest();
                return null;
            });
        } catch (SipException | RuntimeException e) {
            TxLog.warn("could not cancel branch to {}: {}", b.hop, e.toString());
        }
    }

    /** A copy of the inbound request ready to forward: new Request-URI, Max-Forwards decremented, NAT alias. */
    private Request prepare(Inbound in, URI requestUri) throws ParseException, InvalidArgumentException {
        Request fwd = (Request) in.request.clone();
        if (requestUri != null) {
            fwd.setRequestURI(requestUri);
        }
        consumeCredentials(fwd);
        MaxForwardsHeader mf = (MaxForwardsHeader) fwd.getHeader(MaxForwardsHeader.NAME);
        if (mf == null) {
            fwd.setHeader(ctx.headers.createMaxForwardsHeader(70));
        } else {
            mf.setMaxForwards(Math.max(0, mf.getMaxForwards() - 1));
        }
        if (DIALOG_FORMING.contains(fwd.getMethod()) && in.box == null) {
            ContactHeader contact = (ContactHeader) fwd.getHeader(ContactHeader.NAME);
            if (contact != null) {
                String alias = aliasFor(contact, in.sourceIp, in.sourcePort, in.transport);
                if (alias != null) {
                    ((SipURI) contact.getAddress().getURI()).setParameter(NAT_PARAM, alias);
                }
            }
        }
        return fwd;
    }

    /**
     * Record-Routes a dialog-forming request with the socket it came in on. When it leaves on another
     * socket (other address or transport: a UDP phone calling a TCP phone), a second Record-Route for
     * that socket goes on top (RFC 5658 double record-routing), so that each side sends its in-dialog
     * requests to the socket facing it. Both carry the dialog's signature.
     */
    /**
     * Removes the caller's credentials for this box's realm (RFC 3261 §22.3: a proxy consumes the
     * Proxy-Authorization meant for it). Forwarded, they would hand the callee a digest response to
     * guess the caller's password from offline.
     */
    private void consumeCredentials(Request fwd) {
        List<ProxyAuthorizationHeader> keep = new ArrayList<>();
        ListIterator<?> it = fwd.getHeaders(ProxyAuthorizationHeader.NAME);
        boolean ours = false;
        while (it.hasNext()) {
            ProxyAuthorizationHeader h = (ProxyAuthorizationHeader) it.next();
            if (ctx.settings.domain().equalsIgnoreCase(h.getRealm())) {
                ours = true;
            } else {
                keep.add(h);
            }
        }
        if (ours) {
            fwd.removeHeader(ProxyAuthorizationHeader.NAME);
            keep.forEach(fwd::addHeader);
        }
    }

    private void recordRoute(Inbound in, Request fwd, Hop hop) throws ParseException, SipException {
        if (!DIALOG_FORMING.contains(fwd.getMethod())) {
            return;
        }
        String sig = ctx.routes.sign(((CallIdHeader) fwd.getHeader(CallIdHeader.NAME)).getCallId());
        LocalEndpoints.Endpoint inEp = ctx.local.of(in.provider);
        ListeningPoint inLp = inEp.point(in.transport) != null ? inEp.point(in.transport)
                : inEp.points().values().iterator().next();
        fwd.addFirst(recordRouteFor(inLp, sig));
        ListeningPoint outLp = ctx.local.towards(hop.getHost(), hop.getTransport()).point(hop.getTransport());
        if (outLp != null && (!outLp.getIPAddress().equals(inLp.getIPAddress()) || outLp.getPort() != inLp.getPort()
                || !outLp.getTransport().equalsIgnoreCase(inLp.getTransport()))) {
            fwd.addFirst(recordRouteFor(outLp, sig));
        }
    }

    private RecordRouteHeader recordRouteFor(ListeningPoint lp, String sig) throws ParseException {
        FederationPeers federation = ctx.federation;
        ListenAddress.HostPort advertised = federation == null ? null : federation.advertised(lp);
        SipURI rr = ctx.addresses.createSipURI(null, advertised != null ? advertised.host() : lp.getIPAddress());
        rr.setPort(advertised != null ? advertised.port() : lp.getPort());
        rr.setTransportParam(lp.getTransport().toLowerCase(Locale.ROOT));
        rr.setLrParam();
        rr.setParameter(SIG_PARAM, sig);
        return ctx.headers.createRecordRouteHeader(ctx.addresses.createAddress(rr));
    }

    private ViaHeader via(LocalEndpoints.Endpoint ep, String transport) throws ParseException, InvalidArgumentException {
        return via(ctx.headers, ep, transport);
    }

    /** A new Via of this box's {@code transport} socket on {@code ep}, with a fresh branch and rport. */
    static ViaHeader via(javax.sip.header.HeaderFactory headers, LocalEndpoints.Endpoint ep, String transport)
            throws ParseException, InvalidArgumentException {
        ListeningPoint lp = ep.point(transport);
        ViaHeader v = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(),
                Utils.getInstance().generateBranchId());
        v.setRPort();
        return v;
    }

    /** The next hop of an in-dialog request: the top Route if any, else the Request-URI (or its NAT alias). */
    private Hop nextHop(Request fwd) throws ParseException {
        RouteHeader route = (RouteHeader) fwd.getHeader(RouteHeader.NAME);
        if (route != null) {
            return hopOf(route.getAddress().getURI());
        }
        URI ruri = fwd.getRequestURI();
        if (ruri instanceof SipURI su && su.getParameter(NAT_PARAM) != null) {
            SipURI clean = (SipURI) su.clone();
            String alias = clean.getParameter(NAT_PARAM);
            clean.removeParameter(NAT_PARAM);
            fwd.setRequestURI(clean);
            Hop h = aliasHop(alias);
            if (h != null) {
                return h;
            }
        }
        return hopOf(fwd.getRequestURI());
    }

    static Hop hopOf(URI uri) {
        if (!(uri instanceof SipURI su)) {
            throw new IllegalArgumentException("cannot route to non-SIP URI " + uri);
        }
        String transport = su.getTransportParam() == null ? "udp" : su.getTransportParam().toLowerCase(Locale.ROOT);
        String host = su.getParameter("maddr") != null ? su.getParameter("maddr") : su.getHost();
        return new HopImpl(LocalEndpoints.normalize(host), Registrar.portOf(su), transport);
    }

    /** Parses a binding's {@code transport:ip:port} source. */
    private static Hop hop(String source) {
        int first = source.indexOf(':');
        int last = source.lastIndexOf(':');
        String ip = source.substring(first + 1, last);
        return new HopImpl(LocalEndpoints.normalize(ip), Integer.parseInt(source.substring(last + 1)),
                source.substring(0, first));
    }

    private static String aliasFor(ContactHeader contact, String ip, int port, String transport) {
        if (!(contact.getAddress().getURI() instanceof SipURI su) || su.getParameter(NAT_PARAM) != null) {
            return null;
        }
        if (LocalEndpoints.normalize(su.getHost()).equals(ip) && Registrar.portOf(su) == port) {
            return null;
        }
        return ip.replace(':', '-') + "~" + port + "~" + transport;
    }

    private static Hop aliasHop(String alias) {
        String[] p = alias.split("~");
        if (p.length != 3 || !p[0].matches("[0-9a-fA-F.\\-]+") || !Set.of("udp", "tcp").contains(p[2])) {
            return null;
        }
        try {
            return new HopImpl(p[0].replace('-', ':'), Integer.parseInt(p[1]), p[2]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Marks the Contact of a response from a NATed phone with the address it really came from. */
    private static void aliasContact(Response out, Response received, String transport) {
        CSeqHeader cseq = (CSeqHeader) out.getHeader(CSeqHeader.NAME);
        ContactHeader contact = (ContactHeader) out.getHeader(ContactHeader.NAME);
        if (contact == null || cseq == null || !DIALOG_FORMING.contains(cseq.getMethod())) {
            return;
        }
        SIPMessage m = (SIPMessage) received;
        java.net.InetAddress src = m.getPeerPacketSourceAddress() != null ? m.getPeerPacketSourceAddress()
                : m.getRemoteAddress();
        int port = m.getPeerPacketSourcePort() > 0 ? m.getPeerPacketSourcePort() : m.getRemotePort();
        if (src == null || port <= 0) {
            return;
        }
        String alias = aliasFor(contact, src.getHostAddress(), port, transport);
        if (alias != null) {
            try {
                ((SipURI) contact.getAddress().getURI()).setParameter(NAT_PARAM, alias);
            } catch (ParseException e) {
                // leave the Contact as it was
            }
        }
    }

    /** Retransmitted 2xx to INVITE after the branch's transaction ended: forward on the Via path (§16.7). */
    private void forwardStray(Response resp) {
        CSeqHeader cseq = (CSeqHeader) resp.getHeader(CSeqHeader.NAME);
        ViaHeader top = (ViaHeader) resp.getHeader(ViaHeader.NAME);
        if (cseq == null || top == null || resp.getStatusCode() / 100 != 2 || !Request.INVITE.equals(cseq.getMethod())
                || !ctx.local.isLocal(top.getHost(), top.getPort())) {
            return;
        }
        Response out = (Response) resp.clone();
        out.removeFirst(ViaHeader.NAME);
        ViaHeader next = (ViaHeader) out.getHeader(ViaHeader.NAME);
        if (next == null || !unicast(next.getReceived() != null ? next.getReceived() : next.getHost())) {
            return;
        }
        try {
            // it may leave by another socket than it came in on (from a box over TLS, to a phone over UDP)
            String host = next.getReceived() != null ? next.getReceived() : next.getHost();
            ctx.local.towards(host, next.getTransport()).provider().sendResponse(out);
        } catch (SipException | RuntimeException e) {
            TxLog.warn("could not forward a retransmitted 2xx: {}", e.toString());
        }
    }

    private static boolean unicast(String host) {
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(host);
            return !a.isMulticastAddress() && !a.isAnyLocalAddress() && !"255.255.255.255".equals(a.getHostAddress());
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
