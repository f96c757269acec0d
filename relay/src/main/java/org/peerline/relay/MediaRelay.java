package org.peerline.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The box's media relay: a pool of UDP ports from which each relayed call gets two legs (an RTP/RTCP pair for
 * each side), and event loops that forward what one side sends to the other. On Linux it uses the native
 * epoll transport. Calls end when closed or after {@link RelaySettings#idleTimeout()} without a packet; a
 * call's ports go back to the pool either way.
 *
 * <p>Thread model: all four sockets of a call live on one event loop, so a packet is received, counted and
 * forwarded on one thread without locks; calls are spread over the loops.
 */
public final class MediaRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaRelay.class);
    /** G.711's clock, for jitter in milliseconds until the SDP's rtpmap is wired in. */
    static final int DEFAULT_CLOCK_RATE = 8000;

    private final RelaySettings settings;
    private final PortPool pool;
    private final MultiThreadIoEventLoopGroup group;
    private final Class<? extends DatagramChannel> channelType;
    private final Map<String, RelayCall> calls = new ConcurrentHashMap<>();
    /** What the streams that ended carried: packets and bytes from each side, lost, rejected; and their number. */
    private final java.util.concurrent.atomic.LongAdder[] ended = {new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder()};

    /**
     * What the relay carried since it started, ended streams and open ones together (for metrics): every count
     * only grows.
     */
    public record Totals(long streams, long packetsFromCallers, long packetsFromCallees, long bytes, long lost,
                         long rejected) {
    }

    public Totals totals() {
        long[] t = new long[7];
        for (int i = 0; i < t.length; i++) {
            t[i] = ended[i].sum();
        }
        for (RelayCall c : calls.values()) {
            add(t, c);
        }
        return new Totals(t[6], t[0], t[1], t[2] + t[3], t[4], t[5]);
    }

    private static void add(long[] t, RelayCall c) {
        RtpCounter.Stats a = c.a.stats();
        RtpCounter.Stats b = c.b.stats();
        t[0] += a.packets();
        t[1] += b.packets();
        t[2] += a.bytes();
        t[3] += b.bytes();
        t[4] += a.lost() + b.lost();
        t[5] += a.rejected() + b.rejected();
        t[6] += 1;
    }

    private MediaRelay(RelaySettings settings, MultiThreadIoEventLoopGroup group,
                       Class<? extends DatagramChannel> channelType) {
        this.settings = settings;
        this.pool = new PortPool(settings.portMin(), settings.portMax());
        this.group = group;
        this.channelType = channelType;
    }

    /** Starts the relay's event loops ({@code threads} of them) and its idle sweep. */
    public static MediaRelay start(RelaySettings settings, int threads) {
        // epoll, not io_uring: netty's io_uring datagram channel holds 256 message headers each way per socket
        // (about 165 kB of heap), 330 MB for 500 calls, and its garbage collections cost more latency than its
        // fewer system calls saved (relay/README.md)
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, io);
        String transport = epoll ? "epoll" : "NIO";
        MediaRelay relay = new MediaRelay(settings, group, epoll ? EpollDatagramChannel.class : NioDatagramChannel.class);
        group.next().scheduleAtFixedRate(relay::sweep, 1, 1, TimeUnit.SECONDS);
        LOG.info("relay: ports {}-{} bound on {}, advertised {} to phones and {} to boxes ({} call legs), {} transport,"
                + " idle timeout {} s", settings.portMin(), settings.portMax(), settings.bindAddress(), settings.address(),
                settings.wanAddress(), settings.legCapacity(),
                transport, settings.idleTimeout().toSeconds());
        return relay;
    }

    /** A call shorter than this that carried no media was most likely never answered (see {@link RelayCall#problem}). */
    static final long UNANSWERED_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** How many pairs of pairs a call tries when ports of the range are taken by another program. */
    static final int BIND_ATTEMPTS = 8;

    /**
     * Opens a relayed call: two legs, four sockets bound on the relay's address. A port of the range that another
     * program holds is skipped (it goes back to the pool, and the next pairs are tried).
     *
     * @throws IOException when the pool is exhausted or no free pairs could be bound
     */
    public RelayCall open(String id) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            try {
                return tryOpen(id);
            } catch (PortsBusy e) {
                last = e;
            }
        }
        throw last;
    }

    /** Some of the pairs a call took could not be bound. */
    private static final class PortsBusy extends IOException {
        private static final long serialVersionUID = 1L;

        PortsBusy(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private RelayCall tryOpen(String id) throws IOException {
        EventLoop loop = group.next();
        int portA = bindablePair();
        int portB;
        try {
            portB = bindablePair();
        } catch (IOException e) {
            pool.give(portA);
            throw e;
        }
        RelayCall call = new RelayCall(this, id, portA, portB, DEFAULT_CLOCK_RATE, System.nanoTime());
        try {
            call.a.rtp = bind(loop, portA, call.a.new Inbound(true));
            call.a.rtcp = bind(loop, portA + 1, call.a.new Inbound(false));
            call.b.rtp = bind(loop, portB, call.b.new Inbound(true));
            call.b.rtcp = bind(loop, portB + 1, call.b.new Inbound(false));
        } catch (IOException | RuntimeException e) {
            closeChannels(call).orTimeout(5, TimeUnit.SECONDS).exceptionally(x -> null).join(); // not on a loop
            pool.give(portA);
            pool.give(portB);
            throw new PortsBusy("relay: cannot bind the ports of call " + id + ": " + e.getMessage(), e);
        }
        calls.put(id + "#" + portA, call);
        LOG.debug("relay: call {} opened, legs {} and {}", id, portA, portB);
        return call;
    }

    /** A pair from the pool (its ports may still be busy with another program: see {@link #open}). */
    private int bindablePair() throws IOException {
        int p = pool.take();
        if (p < 0) {
            throw new IOException("relay: all " + settings.legCapacity() + " call legs are in use (relay.ports "
                    + settings.portMin() + "-" + settings.portMax() + ")");
        }
        return p;
    }

    private Channel bind(EventLoop loop, int port, Leg.Inbound handler) throws IOException {
        ChannelFuture f = new Bootstrap().group(loop).channel(channelType).option(ChannelOption.SO_REUSEADDR, false)
                .handler(handler).bind(new InetSocketAddress(settings.bindAddress(), port)).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot bind udp " + settings.bindAddress() + ":" + port + ": " + f.cause().getMessage(),
                    f.cause());
        }
        return f.channel();
    }

    void close(RelayCall call, String why) {
        if (!call.markClosed()) {
            return;
        }
        calls.remove(call.id() + "#" + call.a.rtpPort());
        long[] t = new long[7];
        add(t, call);
        for (int i = 0; i < t.length; i++) {
            ended[i].add(t[i]);
        }
        CompletableFuture<Void> closed = closeChannels(call).thenRun(() -> {
            pool.give(call.a.rtpPort()); // only once the sockets are gone: the next call binds them anew
            pool.give(call.b.rtpPort());
            String problem = call.problem(System.nanoTime(), UNANSWERED_NANOS);
            if (problem != null) {
                LOG.warn("relay: call {} {}: {}; caller's side {} -> {}, callee's side {} -> {}", call.id(), why, problem,
                        call.a.stats(), call.a.rtpDestination(), call.b.stats(), call.b.rtpDestination());
            } else {
                LOG.debug("relay: call {} {}: A {} B {}", call.id(), why, call.a.stats(), call.b.stats());
            }
        });
        if (call.a.rtp != null && !call.a.rtp.eventLoop().inEventLoop()) {
            closed.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join(); // callers see the ports back
        }
    }

    /**
     * Closes the call's sockets; completes when all are closed. On an event loop it must not wait: with io_uring a
     * close completes only when the loop reaps it.
     */
    private static CompletableFuture<Void> closeChannels(RelayCall call) {
        List<Channel> open = new java.util.ArrayList<>();
        for (Channel ch : new Channel[] {call.a.rtp, call.a.rtcp, call.b.rtp, call.b.rtcp}) {
            if (ch != null) {
                open.add(ch);
            }
        }
        CompletableFuture<Void> all = new CompletableFuture<>();
        if (open.isEmpty()) {
            all.complete(null);
            return all;
        }
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(open.size());
        for (Channel ch : open) {
            ch.close().addListener(f -> {
                if (left.decrementAndGet() == 0) {
                    all.complete(null);
                }
            });
        }
        return all;
    }

    private void sweep() {
        long now = System.nanoTime();
        long limit = settings.idleTimeout().toNanos();
        for (RelayCall c : List.copyOf(calls.values())) {
            if (c.idleNanos(now) > limit) {
                // on the call's own loop: its sockets close there without anyone waiting
                EventLoop loop = c.a.rtp != null ? c.a.rtp.eventLoop() : group.next();
                loop.execute(() -> close(c, "idle for " + settings.idleTimeout().toSeconds() + " s"));
            }
        }
    }

    /**
     * Answers STUN Binding requests (RFC 8489 §6.3, without authentication) at {@code bind}, so that boxes behind
     * NATs learn the public address of their relay's sockets (their server-reflexive ICE candidates). A box that
     * other boxes can connect to runs one. Each answer is about as long as its request: no amplification.
     */
    public InetSocketAddress serveStun(InetSocketAddress bind) throws IOException {
        ChannelFuture f = new Bootstrap().group(group.next()).channel(channelType)
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof io.netty.channel.socket.DatagramPacket p) {
                            byte[] answer = Stun.is(p.content()) ? Stun.bindingAnswer(Stun.bytes(p.content()), p.sender()) : null;
                            if (answer != null) {
                                ctx.writeAndFlush(new io.netty.channel.socket.DatagramPacket(
                                        io.netty.buffer.Unpooled.wrappedBuffer(answer), p.sender()), ctx.voidPromise());
                            }
                        }
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }
                }).bind(bind).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("cannot bind the STUN server to udp " + bind + ": " + f.cause().getMessage(), f.cause());
        }
        stun = f.channel();
        LOG.info("relay: STUN server on udp {}", stun.localAddress());
        return (InetSocketAddress) stun.localAddress();
    }

    private volatile Channel stun;

    /**
     * Asks the STUN server at {@code server} where this host's packets appear from (a plain socket, not the
     * relay's): whether the server answers at all, before the relay's legs rely on it. Null when it did not
     * answer within {@code timeoutMillis} (three tries).
     */
    public static InetSocketAddress askStun(InetSocketAddress server, int timeoutMillis) {
        byte[] id = new byte[12];
        new java.security.SecureRandom().nextBytes(id);
        org.ice4j.message.Request ask = org.ice4j.message.MessageFactory.createBindingRequest();
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            ask.setTransactionID(id);
            byte[] wire = Stun.encode(ask, null);
            socket.setSoTimeout(Math.max(1, timeoutMillis / 3));
            for (int attempt = 0; attempt < 3; attempt++) {
                socket.send(new java.net.DatagramPacket(wire, wire.length, server));
                java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[1500], 1500);
                try {
                    socket.receive(p);
                } catch (java.net.SocketTimeoutException e) {
                    continue;
                }
                InetSocketAddress mapped = Stun.mapped(java.util.Arrays.copyOf(p.getData(), p.getLength()), id);
                if (mapped != null) {
                    return mapped;
                }
            }
        } catch (IOException | org.ice4j.StunException e) {
            return null;
        }
        return null;
    }

    /** The calls being relayed now. */
    public List<RelayCall> calls() {
        return List.copyOf(calls.values());
    }

    /** UDP ports held by open calls (four per call). */
    public int portsInUse() {
        return pool.inUse() * 2;
    }

    public RelaySettings settings() {
        return settings;
    }

    @Override
    public void close() {
        calls().forEach(c -> close(c, "relay stopped"));
        if (stun != null) {
            stun.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
