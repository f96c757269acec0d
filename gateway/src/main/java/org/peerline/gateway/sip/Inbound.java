package org.peerline.gateway.sip;

import gov.nist.javax.sip.Utils;
import java.net.InetAddress;
import java.text.ParseException;
import java.util.function.Consumer;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.InvalidArgumentException;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/** A request as it arrived: where from, on which provider, in which server transaction (if any). */
final class Inbound {
    final SipContext ctx;
    final Request request;
    final SipProvider provider;
    final InetAddress sourceAddress;
    final String sourceIp;
    final int sourcePort;
    final String transport;
    final long startNanos;
    /** The federation box that sent the request over an authenticated TLS link; null for phones and others. */
    final FederationPeers.Peer box;
    ServerTransaction transaction;

    Inbound(SipContext ctx, Request request, SipProvider provider, ServerTransaction transaction,
            InetAddress sourceAddress, int sourcePort, String transport, long startNanos, FederationPeers.Peer box) {
        this.ctx = ctx;
        this.request = request;
        this.provider = provider;
        this.transaction = transaction;
        this.sourceAddress = sourceAddress;
        this.sourceIp = sourceAddress.getHostAddress();
        this.sourcePort = sourcePort;
        this.transport = transport;
        this.startNanos = startNanos;
        this.box = box;
    }

    /** {@code transport:ip:port} of the sender, as logged and stored in bindings. */
    String source() {
        return transport + ":" + (sourceIp.contains(":") ? "[" + sourceIp + "]" : sourceIp) + ":" + sourcePort;
    }

    String method() {
        return request.getMethod();
    }

    void reply(int code, String detail) {
        reply(code, detail, null);
    }

    /** Answers with a final status and a reason phrase that says why, e.g. "403 Relaying Denied". */
    void refuse(int code, String reason, String detail) {
        reply(code, detail, r -> {
            try {
                r.setReasonPhrase(reason);
            } catch (ParseException e) {
                throw new IllegalArgumentException("bad reason phrase " + reason, e);
            }
        });
    }

    /**
     * Answers the request (in its transaction if it has one, else statelessly) and logs the outcome when
     * it is final. {@code decorate} may add headers.
     */
    void reply(int code, String detail, Consumer<Response> decorate) {
        try {
            Response r = ctx.messages.createResponse(code, request);
            ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
            if (code > 100 && to != null && to.getTag() == null) {
                to.setTag(Utils.getInstance().generateTag());
            }
            r.setHeader((javax.sip.header.Header) ctx.server.clone());
            if (decorate != null) {
                decorate.accept(r);
            }
            send(r);
        } catch (ParseException | RuntimeException e) {
            TxLog.warn("{} from {}: could not build a {} response: {}", method(), source(), code, e.toString());
            return;
        }
        if (code >= 200) {
            TxLog.outcome(request, source(), code, detail, startNanos, ctx.time.nanos());
        }
    }

    /** Sends a response built elsewhere (forwarded from a branch) on this request's transaction. */
    void send(Response r) {
        try {
            if (transaction != null) {
                transaction.sendResponse(r);
            } else {
                provider.sendResponse(r);
            }
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            try {
                provider.sendResponse(r);
            } catch (SipException | RuntimeException e2) {
                TxLog.warn("{} from {}: could not send {}: {}", method(), source(), r.getStatusCode(), e2.toString());
            }
        }
    }
}
