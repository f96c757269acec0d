package org.peerline.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPTransaction;
import java.net.InetAddress;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ProxyRequireHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.peerline.gateway.routing.Binding;
import org.peerline.gateway.routing.SourceGuard;
import org.peerline.provisioning.api.User;

/**
 * The SIP listener: admits or drops each request (source guard), validates it, and dispatches it to
 * the registrar, the box's own UAS answers (OPTIONS keep-alives) or the proxy. Callbacks come on the
 * stack's threads concurrently and never block.
 */
final class SipService implements SipListener {
    private static final List<String> ALLOWED = List.of(SipContext.ALLOW.split(",\\s*"));
    private static final Set<String> KNOWN_METHODS = Set.copyOf(ALLOWED);

    private final SipContext ctx;
    private final DigestAuth auth;
    private final Registrar registrar;
    private final Proxy proxy;
    private final FederationRouting federation;
    private final Redirects redirects;

    SipService(SipContext ctx) {
        this.ctx = ctx;
        this.auth = new DigestAuth(ctx);
        this.registrar = new Registrar(ctx, auth);
        this.proxy = new Proxy(ctx);
        this.federation = new FederationRouting(ctx, proxy);
        this.redirects = new Redirects(ctx);
    }

    @Override
    public void processRequest(RequestEvent ev) {
        long start = ctx.time.nanos();
        Request req = ev.getRequest();
        SIPRequest sr = (SIPRequest) req;
        InetAddress src = sr.getPeerPacketSourceAddress() != null ? sr.getPeerPacketSourceAddress() : sr.getRemoteAddress();
        int port = sr.getPeerPacketSourcePort() > 0 ? sr.getPeerPacketSourcePort() : sr.getRemotePort();
        if (src == null) {
            return;
        }
        ServerTransaction st = ev.getServerTransaction();
        String transport = sr.getMessageChannel() instanceof MessageChannel ch
                ? ch.getTransport().toLowerCase(Locale.ROOT) : "udp";
        FederationPeers.Peer box = null;
        if ("tls".equals(transport)) {
            FederationPeers peers = ctx.federation;
            box = peers == null ? null : peers.sender(sr);
            if (box == null) {
                // cannot happen with the handshake requiring a federation certificate; never treat it as a box
                TxLog.dropped(req, "tls:" + src.getHostAddress() + ":" + port, "TLS peer without a federation certificate");
                return;
            }
            ctx.flows.learn(box, sr, src, port);
        }
        Inbound in = new Inbound(ctx, req, (SipProvider) ev.getSource(), st, src, port, transport, start, box);
        try {
            handle(in);
        } catch (RuntimeException e) {
            TxLog.warn("{} from {}: internal error: {}", req.getMethod(), in.source(), e.toString());
            if (!Request.ACK.equals(req.getMethod())) {
                in.reply(Response.SERVER_INTERNAL_ERROR, "internal error: " + e);
            }
        }
    }

    private void handle(Inbound in) {
        boolean trusted = ctx.trusted(in.sourceAddress);
        if (!trusted && in.box == null) {
            SourceGuard.Decision d = ctx.guard.admit(in.sourceIp, in.startNanos);
            if (d != SourceGuard.Decision.ALLOW) {
                TxLog.dropped(in.request, in.source(), d == SourceGuard.Decision.BLOCKED ? "source blocked"
                        : "rate limit");
                return;
            }
        }
        Request req = in.request;
        String method = req.getMethod();
        if (Request.ACK.equals(method)) {
            Route r = popOurRoute(in);
            if (r != null && r.signed()) {
                proxy.forwardAck(in);
            }
            return;
        }
        String problem = malformed(req);
        if (problem != null) {
            in.refuse(Response.BAD_REQUEST, "Bad Request (" + problem + ")", problem);
            return;
        }
        if (!(req.getRequestURI() instanceof SipURI)) {
            in.reply(Response.UNSUPPORTED_URI_SCHEME, "Request-URI scheme " + req.getRequestURI().getScheme());
            return;
        }
        List<String> unsupported = headerValues(req, ProxyRequireHeader.NAME);
        if (!unsupported.isEmpty()) {
            rejectExtensions(in, unsupported);
            return;
        }
        // REGISTER is answered statelessly, as registrars usually are: the box keeps no transaction, timer
        // or memory per registration. A retransmission is processed again and, recognised by the registrar
        // (RecentRequests), answered as the original was.
        if (in.transaction == null && !Request.REGISTER.equals(method) && !serverTransaction(in)) {
            return;
        }
        if (Request.CANCEL.equals(method)) {
            cancel(in);
            return;
        }
        if (Request.INVITE.equals(method) || in.box != null) {
            // to a box, at once and for every method: it shows this box is alive (Proxy.BOX_ANSWER_MILLIS)
            in.reply(Response.TRYING, null);
        }
        Route route = popOurRoute(in);
        boolean inDialog = ((ToHeader) req.getHeader(ToHeader.NAME)).getTag() != null;
        if (route != null && route.signed()) {
            if (tooManyHops(in)) {
                return;
            }
            proxy.forwardRouted(in);
            return;
        }
        if (inDialog || route != null && route.signature() != null) {
            in.reply(inDialog ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST : Response.FORBIDDEN,
                    route == null ? "in-dialog request without our route" : "route not signed by this box");
            return;
        }
        outOfDialog(in, trusted);
    }

    private void outOfDialog(Inbound in, boolean trusted) {
        Request req = in.request;
        String method = req.getMethod();
        SipURI ruri = (SipURI) req.getRequestURI();
        boolean ours = ctx.isOurDomain(ruri.getHost());
        if (in.box != null) {
            fromBox(in, ruri, ours);
            return;
        }
        if (Request.REGISTER.equals(method)) {
            registrar.register(in);
            return;
        }
        if (ours && (ruri.getUser() == null || ruri.getUser().isEmpty())) {
            answerAsBox(in);
            return;
        }
        Directory directory = ctx.directory;
        if (!ours && directory != null) {
            // a user of another site: the caller must be one of ours, then the overlay says where the user is
            if (tooManyHops(in) || !authenticated(in, trusted)) {
                return;
            }
            String aor = "sip:" + ruri.getUser() + "@" + ruri.getHost().toLowerCase(Locale.ROOT);
            federation.route(in, aor, directory);
            return;
        }
        if (!ours) {
            boolean authenticated = trusted || auth.check(in, true) instanceof DigestAuth.Ok;
            in.refuse(authenticated ? Response.NOT_FOUND : Response.FORBIDDEN,
                    authenticated ? "No Route To Domain" : "Relaying Denied", "foreign domain " + ruri.getHost());
            return;
        }
        if (tooManyHops(in)) {
            return;
        }
        Optional<User> target = ctx.user(ruri.getUser());
        // a phone following another box's redirect (redirect mode) shows this box's ticket for the user instead
        boolean ticket = target.isPresent() && redirects.admitted(ruri, target.get());
        if (!ticket && !authenticated(in, trusted)) {
            return;
        }
        if (target.isEmpty()) {
            if (directory != null) {
                // not a user of this box: a user of this domain at another box, or a global extension
                federation.routeUnknownLocal(in, ruri.getUser(), "sip:" + ruri.getUser() + "@" + ctx.settings.domain(),
                        directory);
                return;
            }
            in.reply(Response.NOT_FOUND, "no user " + ruri.getUser());
            return;
        }
        deliver(in, target.get());
    }

    /**
     * A request that a box of the federation sent over its authenticated TLS link: accepted only for this
     * box's own users (the sending box has authenticated its caller), never relayed on.
     */
    private void fromBox(Inbound in, SipURI ruri, boolean ours) {
        if (Request.REGISTER.equals(in.method())) {
            in.refuse(Response.FORBIDDEN, "Boxes Do Not Register", "REGISTER from " + in.box);
            return;
        }
        String through = ruri.getParameter(Proxy.RELAY_PARAM);
        if (through != null && ruri.getUser() != null) {
            if (!tooManyHops(in)) {
                federation.relayOn(in, "sip:" + ruri.getUser() + "@" + ruri.getHost(), through, ctx.directory);
            }
            return;
        }
        boolean toThisBox = (ruri.getUser() == null || ruri.getUser().isEmpty())
                && ctx.local.isLocal(ruri.getHost(), ruri.getPort());
        if (!ours && !toThisBox) {
            in.refuse(Response.FORBIDDEN, "Not Served Here", in.box + " asked for " + ruri.getHost() + ", this box serves "
                    + ctx.settings.domain());
            return;
        }
        if (ruri.getUser() == null || ruri.getUser().isEmpty()) {
            answerAsBox(in);
            return;
        }
        if (tooManyHops(in)) {
            return;
        }
        Optional<User> target = ctx.user(ruri.getUser());
        if (target.isEmpty()) {
            in.reply(Response.NOT_FOUND, "no user " + ruri.getUser() + " (asked by " + in.box + ")");
            return;
        }
        if (ruri.getParameter(Proxy.REDIRECT_PARAM) != null && Request.INVITE.equals(in.method())) {
            redirects.redirect(in, target.get());
            return;
        }
        deliver(in, target.get());
    }

    /** Challenges or refuses a phone's request unless it carries valid credentials for its From user. */
    private boolean authenticated(Inbound in, boolean trusted) {
        if (trusted) {
            return true;
        }
        DigestAuth.Result result = auth.check(in, true);
        if (result instanceof DigestAuth.Challenge c) {
            if (c.failed() && ctx.guard.authFailed(in.sourceIp, ctx.time.nanos())) {
                TxLog.warn("blocking {} for {}s after repeated authentication failures", in.sourceIp,
                        ctx.settings.security().blockTime().toSeconds());
            }
            auth.challenge(in, true, c);
            return false;
        }
        User caller = ((DigestAuth.Ok) result).user();
        URI from = ((FromHeader) in.request.getHeader(FromHeader.NAME)).getAddress().getURI();
        if (!(from instanceof SipURI fs) || !SipContext.names(caller, fs.getUser())) {
            in.refuse(Response.FORBIDDEN, "From Does Not Match Credentials",
                    "user " + caller.name() + " may not send as " + from);
            return false;
        }
        return true;
    }

    /** Forks a request for a user of this box to the user's registered contacts. */
    private void deliver(Inbound in, User user) {
        String aor = ctx.aor(user);
        List<Binding> contacts = ctx.bindings.lookup(aor, ctx.time.millis());
        if (contacts.isEmpty()) {
            in.reply(Response.TEMPORARILY_UNAVAILABLE, aor + " has no registered contact");
            return;
        }
        proxy.fork(in, aor, contacts);
    }

    /** Requests addressed to the box itself (no user part): OPTIONS keep-alives and probes. */
    private void answerAsBox(Inbound in) {
        String method = in.method();
        List<String> required = headerValues(in.request, RequireHeader.NAME);
        if (!required.isEmpty()) {
            rejectExtensions(in, required);
            return;
        }
        if (Request.OPTIONS.equals(method)) {
            in.reply(Response.OK, "keep-alive", r -> {
                try {
                    allow(r);
                    r.setHeader(ctx.headers.createAcceptHeader("application", "sdp"));
                    r.setHeader(ctx.headers.createHeader("Accept-Language", "en"));
                } catch (ParseException e) {
                    throw new IllegalStateException(e);
                }
            });
        } else if (!KNOWN_METHODS.contains(method)) {
            in.reply(Response.NOT_IMPLEMENTED, "unknown method", r -> {
                try {
                    allow(r);
                } catch (ParseException e) {
                    throw new IllegalStateException(e);
                }
            });
        } else {
            in.reply(Response.NOT_FOUND, "request to the box without a user");
        }
    }

    private void allow(Response r) throws ParseException {
        for (String m : ALLOWED) {
            r.addHeader(ctx.headers.createAllowHeader(m));
        }
    }

    private void cancel(Inbound in) {
        SIPServerTransaction invite = in.transaction instanceof SIPServerTransaction st
                ? st.getCanceledInviteTransaction() : null;
        if (invite == null) {
            in.reply(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "no INVITE to cancel");
            return;
        }
        in.reply(Response.OK, "cancelling");
        proxy.cancel(invite.getApplicationData());
    }

    private boolean serverTransaction(Inbound in) {
        try {
            in.transaction = in.provider.getNewServerTransaction(in.request);
            return true;
        } catch (TransactionAlreadyExistsException e) {
            return false; // a retransmission: the stack answers it
        } catch (TransactionUnavailableException e) {
            return true;
        }
    }

    private boolean tooManyHops(Inbound in) {
        MaxForwardsHeader mf = (MaxForwardsHeader) in.request.getHeader(MaxForwardsHeader.NAME);
        if (mf != null && mf.getMaxForwards() <= 0) {
            in.reply(Response.TOO_MANY_HOPS, "Max-Forwards exhausted");
            return true;
        }
        return false;
    }

    private void rejectExtensions(Inbound in, List<String> tags) {
        in.reply(Response.BAD_EXTENSION, "unsupported " + tags, r -> {
            for (String t : tags) {
                try {
                    r.addHeader(ctx.headers.createUnsupportedHeader(t));
                } catch (ParseException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    /** Our own Route removed from the top of the request, with its signature, or null if the top Route is not ours. */
    private record Route(String signature, boolean signed) {
    }

    /** Removes our Route entries from the top (two after double record-routing); signed only if all are. */
    private Route popOurRoute(Inbound in) {
        Route popped = null;
        CallIdHeader callId = (CallIdHeader) in.request.getHeader(CallIdHeader.NAME);
        while (in.request.getHeader(RouteHeader.NAME) instanceof RouteHeader top
                && top.getAddress().getURI() instanceof SipURI u && ctx.local.isLocal(u.getHost(), u.getPort())) {
            in.request.removeFirst(RouteHeader.NAME);
            String sig = u.getParameter(Proxy.SIG_PARAM);
            boolean signed = sig != null && callId != null && ctx.routes.verify(callId.getCallId(), sig);
            popped = new Route(sig, signed && (popped == null || popped.signed()));
        }
        return popped;
    }

    /** Checks the stack leaves to the application; returns why the request is malformed, or null. */
    private static String malformed(Request req) {
        CSeqHeader cseq = (CSeqHeader) req.getHeader(CSeqHeader.NAME);
        if (cseq == null || req.getHeader(CallIdHeader.NAME) == null || req.getHeader(FromHeader.NAME) == null
                || req.getHeader(ToHeader.NAME) == null || req.getHeader(ViaHeader.NAME) == null) {
            return "missing Call-ID, CSeq, From, To or Via";
        }
        if (!cseq.getMethod().equals(req.getMethod())) {
            return "CSeq method " + cseq.getMethod() + " does not match " + req.getMethod();
        }
        return null;
    }

    private static List<String> headerValues(Request req, String name) {
        List<String> out = new ArrayList<>();
        ListIterator<?> it = req.getHeaders(name);
        while (it != null && it.hasNext()) {
            Object h = it.next();
            if (h instanceof ProxyRequireHeader p) {
                out.add(p.getOptionTag());
            } else if (h instanceof RequireHeader r) {
                out.add(r.getOptionTag());
            }
        }
        return out;
    }

    @Override
    public void processResponse(ResponseEvent ev) {
        try {
            proxy.response(ev);
        } catch (RuntimeException e) {
            TxLog.warn("response {} not relayed: {}", ev.getResponse().getStatusCode(), e.toString());
        }
    }

    @Override
    public void processTimeout(TimeoutEvent ev) {
        if (!ev.isServerTransaction()) {
            proxy.timeout(ev.getClientTransaction());
        }
    }

    @Override
    public void processIOException(IOExceptionEvent ev) {
        TxLog.ioError(ev.getTransport() + ":" + ev.getHost() + ":" + ev.getPort());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent ev) {
        // transactions carry all their state; nothing to clean up
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent ev) {
        // the proxy keeps no dialogs
    }
}
