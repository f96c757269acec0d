package org.peerline.gateway.sip;

import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import javax.sip.ListeningPoint;

/**
 * The stack's NIO transports, except that accepted TCP connections are framed by {@link FramedTcpChannel}.
 * Connections the box opens itself still use the stack's framer (the stack gives no hook for them);
 * phones' connections, which is where compact headers come from, are all accepted ones. Named in the
 * stack property {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}.
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
        return nio.createMessageProcessor(stack, ip, port, transport);
    }

    private static final class Processor extends NioTcpMessageProcessor {
        Processor(InetAddress ip, SIPTransactionStack stack, int port) {
            super(ip, stack, port);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
                throws IOException {
            NioTcpMessageChannel channel = nioHandler.getMessageChannel(client);
            if (channel == null) {
                channel = new FramedTcpChannel(processor, client);
                nioHandler.putMessageChannel(client, channel);
            }
            return channel;
        }
    }
}
