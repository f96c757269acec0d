package org.peerline.gateway.sip;

import gov.nist.javax.sip.stack.DefaultRouter;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.message.Request;

/**
 * The stack's router, with one addition: the proxy may fix the next hop of the request it is about to
 * send (a NATed phone's observed address rather than its Contact URI) by sending through
 * {@link #via(Hop, Send)}. Otherwise RFC 3261 §8.1.2 rules
 * apply (top Route, else Request-URI). Named by class in the stack property {@code javax.sip.ROUTER_PATH}.
 */
public final class NextHopRouter extends DefaultRouter {
    private static final ThreadLocal<Hop> FORCED = new ThreadLocal<>();

    /** Instantiated by the SIP stack. */
    public NextHopRouter(SipStack stack, String outboundProxy) {
        super(stack, outboundProxy);
    }

    /** Something that sends through the stack and may fail with a SipException. */
    interface Send<T> {
        T run() throws SipException;
    }

    /** Runs {@code send} with the next hop fixed to {@code hop} for requests it hands to the stack. */
    static <T> T via(Hop hop, Send<T> send) throws SipException {
        FORCED.set(hop);
        try {
            return send.run();
        } finally {
            FORCED.remove();
        }
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        Hop forced = FORCED.get();
        return forced != null ? forced : super.getNextHop(request);
    }
}
