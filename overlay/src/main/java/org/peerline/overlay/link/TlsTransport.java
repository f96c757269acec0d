package org.peerline.overlay.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.message.DecodeException;
import org.peerline.overlay.message.FramedMessage;
import org.peerline.overlay.node.Scheduler;
import org.peerline.overlay.node.Transport;
import org.peerline.overlay.security.Credentials;
import org.peerline.overlay.security.X509Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Overlay links over TLS 1.3 on TCP with RELOAD's framing (RFC 6940 §6.6.2), on netty. Both ends present
 * certificates from the overlay's CA (mutual authentication); the link belongs to the Node-ID in the
 * peer's certificate, so a peer without one cannot link, let alone join, store or route.
 *
 * <p>Every data frame carries a sequence number and is acknowledged by an ack frame. A frame not acknowledged
 * within the ack timeout, or a connection that closes, takes the link down; the frames it had not delivered
 * go back to the node, which routes them another way.
 *
 * <p>Everything, including the node that listens to this transport, runs on one netty event loop, which is
 * also the node's {@link Scheduler}.
 */
public final class TlsTransport implements Transport, Scheduler {
    private static final Logger log = LoggerFactory.getLogger(TlsTransport.class);
    /**
     * A link whose frames go unacknowledged this long (at least; four smoothed round trips on slow paths) is
     * dead. A peer process that dies has its connections reset by its kernel at once; this timeout is for a
     * host that vanishes or a path that breaks, and must not fire on a busy peer's scheduling delays.
     */
    static final long MIN_ACK_TIMEOUT_MILLIS = 3000;
    private static final int MAX_FRAME = 64 * 1024 + FramedMessage.DATA_HEADER_BYTES;

    private final EventLoop loop;
    private final X509Security security;
    private final SslContext server;
    private final SslContext client;
    private final PeerAddress listen;
    private final NodeId self;
    private final Map<NodeId, Link> links = new HashMap<>();
    private LinkCapture capture;
    private Listener listener;
    private Channel serverChannel;
    private PeerAddress bound;
    /** Where other peers dial this one when that is not where it listens (a router forwards to it); or null. */
    private volatile PeerAddress advertised;
    private boolean closed;

    public TlsTransport(EventLoop loop, Credentials credentials, X509Security security, PeerAddress listen) {
        this.loop = loop;
        this.security = security;
        this.listen = listen;
        this.self = credentials.nodeId();
        try {
            this.server = SslContextBuilder.forServer(credentials.key(), credentials.certificate())
                    .trustManager(credentials.ca()).clientAuth(ClientAuth.REQUIRE).protocols("TLSv1.3").build();
            // a peer is who its certificate's Node-ID says, not a host name: no endpoint identification
            this.client = SslContextBuilder.forClient().keyManager(credentials.key(), credentials.certificate())
                    .trustManager(credentials.ca()).protocols("TLSv1.3").endpointIdentificationAlgorithm(null).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    public void listener(Listener l) {
        this.listener = l;
    }

    /** Writes every link's decrypted stream to {@code c} from now on (debugging; see {@link LinkCapture}). */
    public void capture(LinkCapture c) {
        this.capture = c;
    }

    /** Starts listening; completes with the address bound (with the port the system chose when {@code listen} has port 0). */
    public CompletableFuture<PeerAddress> start() {
        CompletableFuture<PeerAddress> done = new CompletableFuture<>();
        ServerBootstrap b = new ServerBootstrap().group(loop, loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        pipeline(ch, server.newHandler(ch.alloc()), null);
                    }
                });
        b.bind(listen.host(), listen.port()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
                return;
            }
            serverChannel = f.channel();
            InetSocketAddress a = (InetSocketAddress) serverChannel.localAddress();
            bound = new PeerAddress(a.getAddress().getHostAddress(), a.getPort());
            done.complete(bound);
        });
        return done;
    }

    private void pipeline(SocketChannel ch, SslHandler ssl, PeerAddress dialled) {
        ssl.setHandshakeTimeoutMillis(10_000);
        ch.pipeline().addLast("tls", ssl);
        if (capture != null) {
            ch.pipeline().addLast("capture", new CaptureHandler(capture, dialled != null));
        }
        ch.pipeline().addLast("frames", new FrameDecoder()).addLast("link", new LinkHandler(dialled));
    }

    // ----------------------------------------------------------------------------------- Scheduler

    @Override
    public long now() {
        return System.currentTimeMillis();
    }

    @Override
    public Timer after(long delayMillis, Runnable task) {
        var f = loop.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("overlay task failed", e);
            }
        }, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    // ----------------------------------------------------------------------------------- Transport

    @Override
    public void connect(PeerAddress address) {
        if (closed) {
            return;
        }
        new Bootstrap().group(loop).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        pipeline(ch, client.newHandler(ch.alloc(), address.host(), address.port()), address);
                    }
                })
                .connect(address.host(), address.port()).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        listener.connectFailed(address, String.valueOf(f.cause().getMessage()));
                    }
                });
    }

    @Override
    public boolean send(NodeId peer, byte[] message) {
        Link l = links.get(peer);
        if (l == null || closed) {
            return false;
        }
        l.send(message);
        return true;
    }

    @Override
    public void disconnect(NodeId peer) {
        Link l = links.remove(peer);
        if (l != null) {
            l.channel.close();
        }
    }

    @Override
    public boolean connected(NodeId peer) {
        return links.containsKey(peer);
    }

    /**
     * Tells other peers to dial {@code address} rather than the listening address (a router's public address that
     * forwards to it); null: the listening address.
     */
    public void advertise(PeerAddress address) {
        this.advertised = address;
    }

    /** Where other peers dial this one: the advertised address if set, else the one it listens on. */
    @Override
    public PeerAddress localAddress() {
        PeerAddress a = advertised;
        return a != null ? a : bound != null ? bound : listen;
    }

    @Override
    public void close() {
        closed = true;
        for (Link l : new ArrayList<>(links.values())) {
            l.channel.close();
        }
        links.clear();
        if (serverChannel != null) {
            serverChannel.close();
        }
    }

    /** Number of links up (for diagnostics). */
    public int linkCount() {
        return links.size();
    }

    /** The links up and the addresses they run to (on the transport's loop). */
    public Map<NodeId, PeerAddress> links() {
        Map<NodeId, PeerAddress> out = new java.util.TreeMap<>();
        links.forEach((peer, link) -> out.put(peer, link.address));
        return out;
    }

    // ---------------------------------------------------------------------------------------- links

    private record Pending(byte[] message, long sentNanos) {
    }

    /** One authenticated connection to a peer, with its unacknowledged frames. */
    private final class Link {
        final Channel channel;
        final NodeId peer;
        final PeerAddress address;
        /** Frames sent and not yet acknowledged, oldest first. */
        final Map<Long, Pending> unacked = new LinkedHashMap<>();
        long nextSequence = 1;
        long srttMillis = 5;
        /** When the last frame of any kind arrived from the peer (System.nanoTime). */
        long lastHeard = System.nanoTime();
        /** The one liveness check of this link, armed while frames are unacknowledged. */
        io.netty.util.concurrent.ScheduledFuture<?> check;

        Link(Channel channel, NodeId peer, PeerAddress address) {
            this.channel = channel;
            this.peer = peer;
            this.address = address;
        }

        void send(byte[] message) {
            long seq = nextSequence;
            nextSequence = nextSequence == 0xffffffffL ? 1 : nextSequence + 1;
            unacked.put(seq, new Pending(message, System.nanoTime()));
            channel.writeAndFlush(Unpooled.wrappedBuffer(FramedMessage.encode(new FramedMessage.Data(seq, message))));
            if (check == null) {
                arm(timeoutMillis());
            }
        }

        private long timeoutMillis() {
            return Math.max(MIN_ACK_TIMEOUT_MILLIS, 4 * srttMillis);
        }

        private void arm(long delayMillis) {
            long due = System.nanoTime() + delayMillis * 1_000_000;
            check = loop.schedule(() -> checkLiveness(due), delayMillis, TimeUnit.MILLISECONDS);
        }

        /**
         * The link is dead if its oldest frame stays unacknowledged for the timeout and nothing at all came from
         * the peer meanwhile. A busy peer still sends frames, and acks come in order; silence is what a vanished
         * host looks like. If this loop itself ran late, the ack may be waiting unread: look again once the
         * loop has caught up rather than blame the peer for our own delay.
         */
        private void checkLiveness(long due) {
            check = null;
            if (unacked.isEmpty() || links.get(peer) != this) {
                return;
            }
            long now = System.nanoTime();
            long timeout = timeoutMillis();
            long oldestAge = (now - unacked.values().iterator().next().sentNanos()) / 1_000_000;
            long silence = (now - lastHeard) / 1_000_000;
            if (oldestAge < timeout || silence < timeout || now - due > 250_000_000L) {
                arm(Math.max(1, timeout - Math.min(oldestAge, silence)));
                return;
            }
            log.info("link to {} ({}): a frame unacknowledged for {} ms and nothing heard for {} ms; closing it",
                    peer, address, oldestAge, silence);
            fail();
        }

        void acked(long seq) {
            Pending p = unacked.remove(seq);
            if (p != null) {
                long rtt = (System.nanoTime() - p.sentNanos()) / 1_000_000;
                srttMillis = Math.max(1, (7 * srttMillis + rtt) / 8); // RFC 6298's smoothing
            }
        }

        void fail() {
            List<byte[]> lost = new ArrayList<>();
            unacked.values().forEach(p -> lost.add(p.message()));
            unacked.clear();
            if (check != null) {
                check.cancel(false);
                check = null;
            }
            channel.close();
            if (links.get(peer) == this) {
                links.remove(peer);
                listener.linkDown(peer, lost);
            } else if (links.get(peer) != null) {
                Link kept = links.get(peer); // a duplicate connection went away: its frames go on the kept one
                lost.forEach(kept::send);
            }
        }
    }

    /** Splits the TLS stream into RELOAD frames (§6.6.2.1). */
    /** Between TLS and the framing: hands the plaintext both ways to the capture, unchanged. */
    private static final class CaptureHandler extends ChannelDuplexHandler {
        private final LinkCapture capture;
        private final boolean dialled;

        CaptureHandler(LinkCapture capture, boolean dialled) {
            this.capture = capture;
            this.dialled = dialled;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            capture.opened(ctx.channel(), dialled ? local : remote, dialled ? remote : local);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                record(ctx, !dialled, b);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                record(ctx, dialled, b);
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            capture.closed(ctx.channel());
            ctx.fireChannelInactive();
        }

        private void record(ChannelHandlerContext ctx, boolean fromDialler, ByteBuf b) {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            capture.bytes(ctx.channel(), fromDialler, bytes, 0, bytes.length);
        }
    }

    private static final class FrameDecoder extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws DecodeException {
            while (in.readableBytes() > 0) {
                int n = Math.min(in.readableBytes(), FramedMessage.DATA_HEADER_BYTES);
                byte[] head = new byte[n];
                in.getBytes(in.readerIndex(), head);
                int len = FramedMessage.frameLength(head, 0, n);
                if (len < 0 || in.readableBytes() < len) {
                    return;
                }
                if (len > MAX_FRAME) {
                    throw new DecodeException("frame of " + len + " bytes");
                }
                byte[] frame = new byte[len];
                in.readBytes(frame);
                out.add(FramedMessage.decode(frame));
            }
        }
    }

    private final class LinkHandler extends ChannelInboundHandlerAdapter {
        private final PeerAddress dialled;
        private Link link;

        LinkHandler(PeerAddress dialled) {
            this.dialled = dialled;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof SslHandshakeCompletionEvent e)) {
                ctx.fireUserEventTriggered(evt);
                return;
            }
            if (!e.isSuccess()) {
                log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), e.cause().getMessage());
                ctx.close();
                if (dialled != null) {
                    listener.connectFailed(dialled, "TLS handshake failed: " + e.cause().getMessage());
                }
                return;
            }
            NodeId peer = peerOf(ctx);
            if (peer == null || closed) {
                ctx.close();
                if (dialled != null) {
                    listener.connectFailed(dialled, "the peer's certificate names no Node-ID of this overlay");
                }
                return;
            }
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            PeerAddress address = dialled != null ? dialled
                    : new PeerAddress(remote.getAddress().getHostAddress(), remote.getPort());
            link = new Link(ctx.channel(), peer, address);
            Link old = links.get(peer);
            if (old != null) {
                // Both ends dialled at once. Both keep the same connection, the one the smaller Node-ID
                // dialled, so that neither sees the link it uses closed under it; the other one is closed
                // a little later, and what it still carries is resent on the kept one.
                boolean keepNew = (dialled != null) == (self.compareTo(peer) < 0);
                Link drop = keepNew ? old : link;
                if (keepNew) {
                    links.put(peer, link);
                }
                loop.schedule(() -> drop.channel.close(), 2, TimeUnit.SECONDS);
                return; // the peer was linked already: no new linkUp
            }
            links.put(peer, link);
            listener.linkUp(peer, address);
        }

        private NodeId peerOf(ChannelHandlerContext ctx) {
            try {
                Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
                return chain.length > 0 && chain[0] instanceof X509Certificate x ? security.learn(x) : null;
            } catch (SSLPeerUnverifiedException e) {
                return null;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (link == null) {
                return;
            }
            link.lastHeard = System.nanoTime();
            if (msg instanceof FramedMessage.Data d) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(FramedMessage.encode(new FramedMessage.Ack(d.sequence(),
                        0xffffffffL))));
                if (links.containsKey(link.peer)) { // also from a duplicate connection about to close
                    listener.received(link.peer, d.message());
                }
            } else if (msg instanceof FramedMessage.Ack a) {
                link.acked(a.ackSequence());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (link != null) {
                link.fail();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("link {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
