package org.peerline.gateway.sip;

import gov.nist.javax.sip.Utils;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sip.ClientTransaction;
import javax.sip.address.SipURI;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.peerline.overlay.api.PeerAddress;

/**
 * This box opening a SIP-over-TLS connection to another box that asked for one through the overlay (it cannot
 * connect to us: we sit behind a NAT without port forwarding). The connection carries an OPTIONS to the box
 * itself; when its answer comes back over it, the other box has the connection in its flows
 * ({@link FederationFlows}) and sends our users' requests over it.
 */
final class DialBack {
    /** A dial-back under way: the client transaction's application data. */
    static final class Attempt {
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        final PeerAddress to;

        Attempt(PeerAddress to) {
            this.to = to;
        }

        void answered(Response r) {
            // the stack answers 503 itself, from no remote address, when it could not connect
            boolean reached = r instanceof SIPMessage m && m.getRemoteAddress() != null;
            TxLog.debug("dial-back to {}: {} {}", to, r.getStatusCode(), reached ? "over the new connection" : "(not connected)");
            done.complete(reached);
        }

        void failed() {
            TxLog.debug("dial-back to {}: no answer", to);
            done.complete(false);
        }
    }

    private final SipContext ctx;

    DialBack(SipContext ctx) {
        this.ctx = ctx;
    }

    /** Connects to the first of {@code candidates} that answers; completes with true once one did. */
    CompletableFuture<Boolean> connect(List<PeerAddress> candidates) {
        CompletableFuture<Boolean> result = CompletableFuture.completedFuture(false);
        for (PeerAddress c : candidates) {
            result = result.thenCompose(ok -> ok ? CompletableFuture.completedFuture(true) : connect(c));
        }
        return result;
    }

    private CompletableFuture<Boolean> connect(PeerAddress to) {
        Attempt a = new Attempt(to);
        ctx.outbound.execute(() -> { // connecting blocks (up to the stack's connect timeout)
            try {
                LocalEndpoints.Endpoint ep = ctx.local.towards(to.host(), "tls");
                if (ep.point("tls") == null) {
                    a.failed();
                    return;
                }
                SipURI target = ctx.addresses.createSipURI(null, to.host());
                target.setPort(to.port());
                target.setTransportParam("tls");
                SipURI self = ctx.addresses.createSipURI(null, ctx.settings.domain());
                ViaHeader via = Proxy.via(ctx.headers, ep, "tls");
                Request options = ctx.messages.createRequest(target, Request.OPTIONS,
                        ctx.headers.createCallIdHeader(Utils.getInstance().generateCallIdentifier(
                                ctx.settings.domain())),
                        ctx.headers.createCSeqHeader(1L, Request.OPTIONS),
                        ctx.headers.createFromHeader(ctx.addresses.createAddress(self),
                                Utils.getInstance().generateTag()),
                        ctx.headers.createToHeader(ctx.addresses.createAddress(target), null),
                        List.of(via), ctx.headers.createMaxForwardsHeader(70));
                NextHopRouter.via(new gov.nist.javax.sip.stack.HopImpl(to.host(), to.port(), "tls"), () -> {
                    ClientTransaction ct = ep.provider().getNewClientTransaction(options);
                    ct.setApplicationData(a);
                    ct.sendRequest();
                    return null;
                });
            } catch (Exception e) {
                TxLog.warn("dial-back to {}: {}", to, e.toString());
                a.failed();
            }
        });
        return a.done;
    }
}
