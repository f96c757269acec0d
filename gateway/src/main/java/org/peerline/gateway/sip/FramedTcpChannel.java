package org.peerline.gateway.sip;

import gov.nist.javax.sip.ThreadAffinityTask;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An accepted SIP-over-TCP connection whose byte stream is cut into messages by {@link StreamFramer}
 * instead of the stack's own framer, which only knows the long forms of Content-Length and Call-ID, so
 * that a phone using {@code l:} or {@code i:} (RFC 3261 §7.3.3) had its connection torn down. Each
 * message is parsed off the selector thread, on a thread chosen by its Call-ID so that the messages of
 * one call keep their order. A request the parser rejects is answered 400 on the connection, which stays
 * up; a framing error is answered 400 where possible and closes the connection (RFC 3261 §18.3).
 */
final class FramedTcpChannel extends NioTcpMessageChannel {
    private static final Logger LOG = LoggerFactory.getLogger(FramedTcpChannel.class);
    private static final Set<Class<?>> MANDATORY = Set.of(From.class, To.class, CSeq.class, Via.class, CallID.class,
            ContentLength.class, RequestLine.class, StatusLine.class);

    private final StreamFramer framer;
    private final StreamFramer.Sink sink = new StreamFramer.Sink() {
        @Override
        public void message(byte[] bytes, String callId) {
            sipStack.getSelfRoutingThreadpoolExecutor().execute(new Dispatch(bytes, callId));
        }

        @Override
        public void ping() {
            try {
                sendSingleCLRF();
            } catch (Exception e) {
                LOG.debug("keep-alive pong to {}:{} not sent: {}", peerAddress, peerPort, e.toString());
            }
        }
    };

    FramedTcpChannel(NioTcpMessageProcessor processor, SocketChannel socket) throws IOException {
        super(processor, socket);
        this.messageProcessor = processor;
        this.framer = new StreamFramer(sipStack.getMaxMessageSize() > 0 ? sipStack.getMaxMessageSize() : 65536);
    }

    @Override
    protected void addBytes(byte[] bytes) {
        try {
            framer.feed(bytes, 0, bytes.length, sink);
        } catch (StreamFramer.FramingException e) {
            LOG.info("closing SIP/TCP connection from {}:{}: {}", peerAddress.getHostAddress(), peerPort, e.getMessage());
            String answer = badRequest(e.head, new ParseException(e.getMessage(), 0));
            if (answer != null) {
                try {
                    // written at once, not queued: the connection closes right after (best effort, small write)
                    socketChannel.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException io) {
                    LOG.debug("400 to {}:{} not sent: {}", peerAddress, peerPort, io.toString());
                }
            }
            close(true, true);
        }
    }

    /** The 400 answering a request the box cannot take, or null for responses, ACKs and unanswerable junk. */
    private String badRequest(String text, ParseException why) {
        if (text.startsWith("SIP/") || text.startsWith("ACK ")) {
            return null;
        }
        return createBadReqRes(text, why);
    }

    private void answerBadRequest(String text, ParseException why) {
        String answer = badRequest(text, why);
        if (answer == null) {
            return;
        }
        try {
            sendMessage(answer.getBytes(StandardCharsets.UTF_8), false);
        } catch (IOException e) {
            LOG.debug("400 to {}:{} not sent: {}", peerAddress, peerPort, e.toString());
        }
    }

    /** Parses one framed message and hands it to the stack, keeping a call's messages on one thread. */
    private final class Dispatch implements ThreadAffinityTask {
        private final byte[] bytes;
        private final String callId;

        Dispatch(byte[] bytes, String callId) {
            this.bytes = bytes;
            this.callId = callId;
        }

        @Override
        public Object getThreadHash() {
            return callId != null ? callId : FramedTcpChannel.this;
        }

        @Override
        public void run() {
            SIPMessage message;
            ParseExceptionListener lenient = (ex, msg, header, headerText, messageText) -> {
                if (header != null && MANDATORY.contains(header)) {
                    throw ex;
                }
                msg.addUnparsed(headerText); // a bad optional header is kept as it came, as over UDP
            };
            try {
                message = sipStack.getMessageParserFactory().createMessageParser(sipStack)
                        .parseSIPMessage(bytes, true, false, lenient);
            } catch (ParseException e) {
                answerBadRequest(new String(bytes, StandardCharsets.ISO_8859_1), e);
                return;
            }
            if (message == null) {
                return;
            }
            try {
                processMessage(message);
            } catch (Exception e) {
                LOG.warn("SIP/TCP message from {}:{} not processed: {}", peerAddress.getHostAddress(), peerPort,
                        e.toString());
            }
        }
    }
}
