package org.peerline.gateway.sip;

import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import javax.sip.ListeningPoint;

/**
 * The stack's NIO transports with three changes. Connections the box opens over TCP and TLS are kept for
 * reuse ({@link ReusingNioHandler}). Accepted TCP connections are framed by
 * {@link FramedTcpChannel} (connections the box opens itself still use the stack's framer: the stack gives
 * no hook for them; phones' connections, where compact headers come from, are all accepted ones). UDP
 * datagrams wait for a worker in a bounded queue, each in an array of its own size ({@link SheddingQueue}).
 * Named in the stack property {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}.
 */
public final class FramedProcessorFactory implements MessageProcessorFactory {
    private final NioMessageProcessorFactory nio = new NioMessageProcessorFactory();

    /** Called by the stack, which creates the factory by reflection. */
    public FramedProcessorFactory() {
        // stateless
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress ip, int port, String transport)
            throws IOException {
        if (ListeningPoint.TCP.equalsIgnoreCase(transport)) {
            return new Processor(ip, stack, port);
        }
        if (ListeningPoint.UDP.equalsIgnoreCase(transport)) {
            return new UdpProcessor(ip, stack, port);
        }
        if (ListeningPoint.TLS.equalsIgnoreCase(transport)) {
            return new TlsProcessor(ip, stack, port);
        }
        return nio.createMessageProcessor(stack, ip, port, transport);
    }

    private static final class UdpProcessor extends UDPMessageProcessor {
        UdpProcessor(InetAddress ip, SIPTransactionStack stack, int port) throws IOException {
            super(ip, stack, port);
            this.messageQueue = new SheddingQueue(SheddingQueue.CAPACITY, SheddingQueue.NEW_WORK_LIMIT,
                    ip.getHostAddress() + ":" + port);
            sendFromListeningSocket(stack);
        }

        /**
         * What the stack's own factory does for UDP and the stack offers no setter for: with its
         * package-private {@code udpFlag} unset, requests go out from a fresh ephemeral socket, and answers
         * that phones send back to the source port (as they do behind NAT) are lost.
         */
        private static void sendFromListeningSocket(SIPTransactionStack stack) throws IOException {
            try {
                Field f = SIPTransactionStack.class.getDeclaredField("udpFlag");
                f.setAccessible(true);
                f.setBoolean(stack, true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IOException("this JAIN-SIP version has no udpFlag; cannot send from the SIP socket", e);
            }
        }
    }

    /** The stack's TLS transport, keeping the connections it opens ({@link ReusingNioHandler}). */
    private static final class TlsProcessor extends NioTlsMessageProcessor {
        TlsProcessor(InetAddress ip, SIPTransactionStack stack, int port) {
            super(ip, stack, port);
            nioHandler = new ReusingNioHandler(stack, this);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
                throws IOException {
            client.socket().setTcpNoDelay(true);
            return super.createMessageChannel(processor, client);
        }
    }

    private static final class Processor extends NioTcpMessageProcessor {
        Processor(InetAddress ip, SIPTransactionStack stack, int port) {
            super(ip, stack, port);
            nioHandler = new ReusingNioHandler(stack, this);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
                throws IOException {
            client.socket().setTcpNoDelay(true);
            NioTcpMessageChannel channel = nioHandler.getMessageChannel(client);
            if (channel == null) {
                channel = new FramedTcpChannel(processor, client);
                nioHandler.putMessageChannel(client, channel);
            }
            return channel;
        }
    }
}
