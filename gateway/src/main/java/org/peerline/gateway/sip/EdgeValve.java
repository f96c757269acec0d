package org.peerline.gateway.sip;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.SIPConstants;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.HexFormat;
import java.util.Locale;
import javax.sip.SipStack;
import javax.sip.TransactionState;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees every request as it comes off the wire, before the stack looks for its transaction, and corrects
 * two things the stack would otherwise get wrong. The stack instantiates it by class name
 * ({@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}); it holds no state of its own.
 *
 * <p><b>Answers go back over the transport the request used.</b> A request that came in a UDP datagram is
 * answered in a datagram, whatever transport its top Via names (RFC 4475 §3.1.1.2 and §3.3.8 send
 * {@code Via: SIP/2.0/TCP} and {@code TLS} over UDP), and one that came over a TCP connection is answered on
 * it. RFC 3261 §18.2.2 would have the box open a TCP or TLS connection to the sender instead; a box on the
 * open Internet must not open connections to wherever a datagram claims to come from, and a phone behind
 * NAT could not accept one anyway. The stack routes answers (stateless ones even over TCP) by the Via's
 * transport, so the Via is corrected to the transport really used, as {@code received} corrects its
 * address.
 *
 * <p><b>A branch names a transaction only together with its request.</b> The stack keys server transactions
 * by branch alone. A request from another sender that reuses the branch of a transaction which has already
 * answered (the RFC 4475 messages all use {@code z9hG4bKkdjuw}), or a phone that reuses a branch for its
 * next REGISTER, would be dropped as that transaction's retransmission. It is a new request: the old
 * transaction, which only lingers to absorb retransmissions, gives way. A transaction still running keeps
 * its branch, and the intruder is dropped.
 *
 * <p><b>RFC 2543 requests get a branch.</b> See {@link #legacyBranch}.
 */
public final class EdgeValve implements SIPMessageValve {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeValve.class);

    private SIPTransactionStack stack;

    /** Called by the stack, which creates the valve by reflection. */
    public EdgeValve() {
        // state comes in init()
    }

    @Override
    public void init(SipStack sipStack) {
        this.stack = (SIPTransactionStack) sipStack;
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        Via via = request.getTopmostVia();
        if (via == null) {
            return true; // the listener answers 400
        }
        String transport = channel.getTransport();
        if (!transport.equalsIgnoreCase(via.getTransport())) {
            try {
                via.setTransport(transport.toUpperCase(Locale.ROOT));
            } catch (ParseException e) {
                throw new IllegalStateException(transport + " is a valid transport", e);
            }
        }
        String branch = via.getBranch();
        if (branch == null || !branch.regionMatches(true, 0, SIPConstants.BRANCH_MAGIC_COOKIE, 0,
                SIPConstants.BRANCH_MAGIC_COOKIE.length())) {
            legacyBranch(request, via);
        }
        if (stack != null) {
            yieldStaleBranch(request, channel);
        }
        return true;
    }

    /**
     * Gives an RFC 2543 request (no branch, or one without the magic cookie) a branch computed from the
     * fields RFC 3261 §17.2.3 matches such requests by: Request-URI, From tag, Call-ID, CSeq number and
     * the Via sent-by. Its retransmissions, the ACK of a non-2xx answer and a CANCEL get the same branch
     * and find its transaction by key; without it the stack compares the request with every live
     * transaction, re-parsing each one, which a stream of legacy requests turns into a denial of service.
     */
    private static void legacyBranch(SIPRequest request, Via via) {
        String fields = request.getRequestURI() + "\n" + request.getFromTag() + "\n" + request.getCallId().getCallId()
                + "\n" + request.getCSeq().getSeqNumber() + "\n" + via.getSentBy().encode() + "\n" + via.getBranch();
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(fields.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try {
            via.setBranch(SIPConstants.BRANCH_MAGIC_COOKIE + "-2543-" + HexFormat.of().formatHex(digest, 0, 12));
        } catch (ParseException e) {
            throw new IllegalStateException("a hex branch is a valid token", e);
        }
    }

    /**
     * Clears a finished transaction out of the way of a new request that reuses its branch. A
     * retransmission has the same Call-ID, CSeq and method and comes over the same transport; anything
     * else is a new request.
     */
    private void yieldStaleBranch(SIPRequest request, MessageChannel channel) {
        SIPTransaction holder = stack.findTransaction(request.getTransactionId(), true);
        if (holder == null || retransmission(holder, request, channel)) {
            return;
        }
        TransactionState state = holder.getState();
        if (state == TransactionState.COMPLETED || state == TransactionState.CONFIRMED
                || state == TransactionState.TERMINATED) {
            stack.removeTransaction(holder);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{} from {}:{} reuses branch {} of a running transaction from another sender; dropped",
                    request.getMethod(), channel(request), request.getTopmostVia().getSentBy().encode(),
                    request.getTopmostVia().getBranch());
        }
    }

    private static boolean retransmission(SIPTransaction holder, SIPRequest request, MessageChannel channel) {
        if (!holder.isMessagePartOfTransaction(request)
                || !holder.getTransport().equalsIgnoreCase(channel.getTransport())
                || holder.getCSeq() != request.getCSeq().getSeqNumber()) {
            return false;
        }
        String method = request.getMethod();
        if (!method.equals(holder.getMethod()) && !(Request.ACK.equals(method) && holder.isInviteTransaction())) {
            return false;
        }
        SIPRequest original = holder.getOriginalRequest(); // null once the stack has released it
        return original == null || original.getCallId().getCallId().equals(request.getCallId().getCallId());
    }

    private static String channel(SIPRequest request) {
        return request.getPeerPacketSourceAddress() == null ? "?" : request.getPeerPacketSourceAddress().getHostAddress();
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        return true;
    }

    @Override
    public void destroy() {
        stack = null;
    }
}
