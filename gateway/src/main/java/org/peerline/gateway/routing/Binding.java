package org.peerline.gateway.routing;

/**
 * One registered contact of an address-of-record (RFC 3261 §10).
 *
 * @param aor       canonical AOR, {@code sip:user@domain}
 * @param contact   the Contact URI as the phone gave it (URI parameters kept, contact parameters not)
 * @param q         preference 0.0-1.0 from the Contact's q parameter (1.0 when absent)
 * @param expiresAt absolute expiry, epoch milliseconds
 * @param callId    Call-ID of the REGISTER that created or last refreshed it
 * @param cseq      CSeq number of that REGISTER
 * @param source    where that REGISTER came from, {@code transport:ip:port}
 * @param viaSource true when requests for this contact must go to {@code source} rather than to the
 *                  Contact URI: the phone is behind NAT or asked for symmetric routing (rport)
 * @param userAgent the phone's User-Agent, for diagnostics (may be empty)
 */
public record Binding(String aor, String contact, float q, long expiresAt, String callId, long cseq,
                      String source, boolean viaSource, String userAgent) {

    /** Seconds left at {@code nowMillis}, never negative. */
    public long secondsLeft(long nowMillis) {
        return Math.max(0, (expiresAt - nowMillis + 999) / 1000);
    }

    boolean live(long nowMillis) {
        return expiresAt > nowMillis;
    }
}
