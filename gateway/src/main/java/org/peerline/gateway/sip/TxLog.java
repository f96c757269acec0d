package org.peerline.gateway.sip;

import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per SIP transaction outcome (logger {@code peerline.sip}): method, Request-URI, source,
 * Call-ID, the final answer and what led to it. Enough to follow a failed call from the log alone:
 * {@code grep call-id=X}.
 */
final class TxLog {
    private static final Logger LOG = LoggerFactory.getLogger("peerline.sip");

    /** Methods counted apart in {@link #outcomes}; the others count as "other". */
    static final java.util.List<String> METHODS = java.util.List.of("REGISTER", "INVITE", "ACK", "BYE", "CANCEL",
            "MESSAGE", "OPTIONS", "other");
    private static final java.util.concurrent.atomic.LongAdder[][] OUTCOMES = new java.util.concurrent.atomic.LongAdder[METHODS
            .size()][7];

    static {
        for (java.util.concurrent.atomic.LongAdder[] row : OUTCOMES) {
            for (int i = 0; i < row.length; i++) {
                row[i] = new java.util.concurrent.atomic.LongAdder();
            }
        }
    }

    private TxLog() {
    }

    /** Transactions answered since start, by method ({@link #METHODS}) and status class (1 to 6). */
    static long outcomes(int method, int statusClass) {
        return OUTCOMES[method][statusClass].sum();
    }

    static void outcome(Request req, String source, int code, String detail, long startNanos, long nowNanos) {
        int m = METHODS.indexOf(req.getMethod());
        OUTCOMES[m < 0 ? METHODS.size() - 1 : m][Math.max(1, Math.min(6, code / 100))].increment();
        if (!LOG.isInfoEnabled() && !(code >= 500 && LOG.isWarnEnabled())) {
            return;
        }
        String line = String.format("%s %s from %s call-id=%s -> %d%s (%.1f ms)", req.getMethod(),
                req.getRequestURI(), source, callId(req), code, detail == null || detail.isEmpty() ? "" : " " + detail,
                (nowNanos - startNanos) / 1e6);
        if (code >= 500 && code != 503) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }

    static void dropped(Request req, String source, String why) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} from {} call-id={} dropped: {}", req.getMethod(), req.getRequestURI(), source, callId(req),
                    why);
        }
    }

    static void ioError(String peer) {
        LOG.debug("I/O error towards {}", peer);
    }

    static void note(String format, Object... args) {
        LOG.info(format, args);
    }

    static void debug(String format, Object... args) {
        LOG.debug(format, args);
    }

    static void warn(String format, Object... args) {
        LOG.warn(format, args);
    }

    static String callId(Request req) {
        CallIdHeader c = (CallIdHeader) req.getHeader(CallIdHeader.NAME);
        return c == null ? "-" : c.getCallId();
    }
}
