package org.peerline.gateway.sip;

import gov.nist.javax.sip.stack.NIOHandler;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * The stack's connection table, with its outgoing connections kept. In JAIN-SIP 1.3.0-91 a connection the
 * stack opens is dropped from the table as soon as it is made (a flag meant to say "connected" is never set),
 * so the first message on it opens a second connection and replays only the last bytes on it. Over TCP that
 * costs a connection; over TLS it loses the request, because what is replayed is the ClientHello and the
 * request waits on the first, abandoned handshake. Here the connection is made once, kept under its
 * {@code ip:port}, and found again by the stack when it sends.
 */
final class ReusingNioHandler extends NIOHandler {
    private final NioTcpMessageProcessor processor;
    /** Locks by destination (striped, so the table stays bounded): two requests racing to one open one connection. */
    private final Object[] connecting = new Object[64];

    ReusingNioHandler(SIPTransactionStack stack, NioTcpMessageProcessor processor) {
        super(stack, processor);
        this.processor = processor;
        for (int i = 0; i < connecting.length; i++) {
            connecting[i] = new Object();
        }
    }

    @Override
    public SocketChannel createOrReuseSocket(InetAddress address, int port) throws IOException {
        String key = makeKey(address, port);
        Object lock = connecting[Math.floorMod(key.hashCode(), connecting.length)];
        synchronized (lock) {
            SocketChannel ch = getSocket(key);
            if (ch != null && ch.isOpen() && (ch.isConnected() || ch.isConnectionPending())) {
                return ch;
            }
            ch = processor.connect(new InetSocketAddress(address, port), processor.getIpAddress(),
                    SipEdge.CONNECT_TIMEOUT_MILLIS);
            ch.socket().setTcpNoDelay(true);
            putSocket(key, ch);
            return ch;
        }
    }
}
