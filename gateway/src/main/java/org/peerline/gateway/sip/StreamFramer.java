package org.peerline.gateway.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a SIP byte stream (TCP) into messages, RFC 3261 §18.3 and §7.5: CRLFs before a start line are
 * skipped, a double CRLF between messages is an RFC 5626 keep-alive ping, and the body is exactly
 * Content-Length octets (whatever they contain: NUL, bare CR). Header names are matched as the RFC says,
 * case-insensitively and in compact form ({@code l}, {@code i}), with white space before the colon and
 * folded lines allowed. A message without Content-Length (RFC 2543 phones) has no body. A framing error
 * (negative, malformed or conflicting Content-Length, a message larger than the limit) cannot be recovered
 * on a stream: the caller answers if it can and closes the connection.
 *
 * <p>Not thread-safe: one framer per connection, fed from that connection's reader.
 */
final class StreamFramer {
    /** Receives what the stream carried, in order. */
    interface Sink {
        /** One whole message: start line, headers, blank line and body; {@code callId} may be null. */
        void message(byte[] bytes, String callId);

        /** A keep-alive ping (double CRLF between messages): answer with a single CRLF. */
        void ping();
    }

    /** The stream cannot be framed any further; {@code head} is the offending message's header section. */
    static final class FramingException extends IOException {
        private static final long serialVersionUID = 1L;
        final transient String head;

        FramingException(String reason, String head) {
            super(reason);
            this.head = head;
        }
    }

    private final int maxMessage;
    private byte[] buf = new byte[4096];
    private int len;
    private int lineFeeds;

    StreamFramer(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    /** Adds bytes read from the stream and hands every message they complete to {@code sink}. */
    void feed(byte[] data, int off, int n, Sink sink) throws FramingException {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        System.arraycopy(data, off, buf, len, n);
        len += n;
        int pos = 0;
        try {
            while (pos < len) {
                pos = skipLineBreaks(pos, sink);
                if (pos == len) {
                    break;
                }
                int headEnd = headerEnd(pos);
                if (headEnd < 0) {
                    if (len - pos > maxMessage) {
                        throw new FramingException("header section longer than " + maxMessage + " bytes", text(pos, len));
                    }
                    break;
                }
                Head h = parseHead(pos, headEnd);
                if ((long) headEnd - pos + h.contentLength > maxMessage) {
                    throw new FramingException("message of " + ((long) headEnd - pos + h.contentLength)
                            + " bytes exceeds the limit of " + maxMessage, text(pos, headEnd));
                }
                int end = headEnd + h.contentLength;
                if (end > len) {
                    break; // the body is still coming
                }
                sink.message(Arrays.copyOfRange(buf, pos, end), h.callId);
                pos = end;
            }
        } finally {
            System.arraycopy(buf, pos, buf, 0, len - pos);
            len -= pos;
        }
    }

    /** Bytes held for a message not yet complete. */
    int pending() {
        return len;
    }

    private int skipLineBreaks(int pos, Sink sink) {
        while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n')) {
            if (buf[pos] == '\n' && ++lineFeeds == 2) {
                lineFeeds = 0;
                sink.ping();
            }
            pos++;
        }
        if (pos < len) {
            lineFeeds = 0;
        }
        return pos;
    }

    /** Index just past the blank line ending the header section that starts at {@code from}, or -1. */
    private int headerEnd(int from) {
        for (int i = from; i < len - 1; i++) {
            if (buf[i] == '\n') {
                if (buf[i + 1] == '\n') {
                    return i + 2;
                }
                if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    private record Head(int contentLength, String callId) {
    }

    private Head parseHead(int from, int to) throws FramingException {
        String head = text(from, to);
        int contentLength = -1;
        String callId = null;
        int lineStart = head.indexOf('\n') + 1; // skip the start line
        while (lineStart < head.length()) {
            int lineEnd = head.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = head.length();
            }
            String line = head.substring(lineStart, lineEnd);
            lineStart = lineEnd + 1;
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                continue; // blank, folded continuation, or not a header: the parser judges it
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("l")) {
                int cl = contentLength(value, head);
                if (contentLength >= 0 && cl != contentLength) {
                    throw new FramingException("conflicting Content-Length values " + contentLength + " and " + cl,
                            head);
                }
                contentLength = cl;
            } else if (callId == null && (name.equalsIgnoreCase("Call-ID") || name.equalsIgnoreCase("i"))) {
                callId = value;
            }
        }
        return new Head(Math.max(contentLength, 0), callId);
    }

    private int contentLength(String value, String head) throws FramingException {
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new FramingException("bad Content-Length '" + value + "'", head);
        }
        return Integer.parseInt(value);
    }

    private String text(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
