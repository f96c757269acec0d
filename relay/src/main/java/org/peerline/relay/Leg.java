package org.peerline.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One side of a relayed call: the relay's RTP and RTCP sockets that one phone (or the other site's relay)
 * sends to and receives from. Symmetric RTP: the relay sends to the address the phone's packets come from
 * (latched from the first ones, which gets through NATs), and accepts packets only from the IP address the
 * call's signalling came from, so no third party can take the media over by sending first. Until the phone
 * has sent anything, packets for it go where its SDP says (see {@link #expect}).
 */
public final class Leg {
    private final RelayCall call;
    private final int rtpPort;
    private final RtpCounter counter;
    Channel rtp;
    Channel rtcp;
    Leg other;
    private volatile InetAddress signalled;
    private volatile InetSocketAddress sdpRtp;
    private volatile InetSocketAddress sdpRtcp;
    private InetSocketAddress latchedRtp;
    private InetSocketAddress latchedRtcp;
    private long rejected;
    private long early;
    private long undeliverable;
    /** ICE on this leg (it faces another box that does ICE); null for a phone's leg or a box without ICE. */
    private volatile IceAgent ice;

    Leg(RelayCall call, int rtpPort, int clockRate) {
        this.call = call;
        this.rtpPort = rtpPort;
        this.counter = new RtpCounter(clockRate);
    }

    /** The relay's RTP port on this side (SDP's m= port); RTCP is the next one. */
    public int rtpPort() {
        return rtpPort;
    }

    public int rtcpPort() {
        return rtpPort + 1;
    }

    /**
     * What the signalling says of this side: the IP address its SIP came from (the only source accepted) and
     * where its SDP asks media to go ({@code rtcp} null: RTP port + 1; {@code rtcp} equal to {@code rtp}:
     * rtcp-mux).
     *
     * <p>An SDP address other than the signalling source is one behind a NAT (a phone at home, a box behind a
     * router that forwards nothing): until this side's own packets show where to send, the relay sends to the
     * signalling source at the SDP's ports (a port-preserving NAT maps them there), never to the private address
     * itself, which on this side of the NAT may be another host altogether (two sites both on 192.168.1.0/24).
     */
    public void expect(InetAddress signallingSource, InetSocketAddress sdpRtp, InetSocketAddress sdpRtcp) {
        this.signalled = signallingSource;
        InetSocketAddress rtcp = sdpRtcp != null ? sdpRtcp : new InetSocketAddress(sdpRtp.getAddress(), sdpRtp.getPort() + 1);
        boolean natted = signallingSource != null && sdpRtp.getAddress() != null
                && !sdpRtp.getAddress().equals(signallingSource);
        this.sdpRtp = natted ? new InetSocketAddress(signallingSource, sdpRtp.getPort()) : sdpRtp;
        this.sdpRtcp = natted ? new InetSocketAddress(signallingSource, rtcp.getPort()) : rtcp;
    }

    /**
     * Runs ICE on this leg, which faces another box ({@code controlling}: this box sent the call's first offer).
     * Idempotent: the leg's agent, created on the first call.
     */
    public synchronized IceAgent ice(String callId, boolean controlling, boolean rtcpMux) {
        return ice(callId, controlling, rtcpMux, IceAgent.Consent.DEFAULT);
    }

    /** As {@link #ice(String, boolean, boolean)}, with the consent-freshness timing (tests shorten it). */
    synchronized IceAgent ice(String callId, boolean controlling, boolean rtcpMux, IceAgent.Consent consent) {
        if (ice == null) {
            ice = new IceAgent(this, callId, controlling, rtcpMux, consent);
        }
        return ice;
    }

    /** The leg's ICE agent, or null if it does no ICE. */
    public IceAgent ice() {
        return ice;
    }

    /** ICE chose {@code remote} for {@code component} (1 RTP, 2 RTCP): this side's media goes there now. On the loop. */
    void select(int component, InetSocketAddress remote, boolean rtcpMux) {
        if (component == 1) {
            latchedRtp = remote;
            if (rtcpMux) {
                latchedRtcp = remote;
            }
        } else {
            latchedRtcp = remote;
        }
    }

    /**
     * ICE consent for {@code component} expired (RFC 7675): nothing more is sent to the pair ICE chose. On the loop.
     */
    void consentExpired(int component, boolean rtcpMux) {
        if (component == 1) {
            latchedRtp = null;
            sdpRtp = null;
            if (rtcpMux) {
                latchedRtcp = null;
                sdpRtcp = null;
            }
        } else {
            latchedRtcp = null;
            sdpRtcp = null;
        }
    }

    /** What this side's phone sent into the relay. */
    public RtpCounter.Stats stats() {
        return counter.snapshot(rejected);
    }

    /**
     * Packets that reached this side's sockets before the signalling said who this side is (media that overtook
     * the SDP answer through the boxes): dropped, but not a stranger's.
     */
    public long early() {
        return early;
    }

    /** Packets from this side that had nowhere to go (the other side had neither latched nor signalled). */
    public long undeliverable() {
        return undeliverable;
    }

    /** Where the relay sends this side's RTP now: the latched source, else the SDP address; null if neither. */
    public InetSocketAddress rtpDestination() {
        return latchedRtp != null ? latchedRtp : sdpRtp;
    }

    private InetSocketAddress rtcpDestination() {
        return latchedRtcp != null ? latchedRtcp : sdpRtcp;
    }

    /** The inbound handler of one of this leg's sockets: admit, latch, count, forward to the other side. */
    final class Inbound extends ChannelInboundHandlerAdapter {
        private final boolean isRtp;
        /** The socket written to since the last flush: flushed once per burst of reads (one sendmmsg). */
        private Channel unflushed;

        Inbound(boolean isRtp) {
            this.isRtp = isRtp;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DatagramPacket packet)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            InetSocketAddress from = packet.sender();
            ByteBuf data = packet.content();
            IceAgent agent = ice;
            if (agent != null && Stun.is(data)) {
                agent.receive(isRtp ? 1 : 2, from, Stun.bytes(data)); // a connectivity check, or its answer
                packet.release();
                return;
            }
            InetAddress allowed = signalled;
            // from the signalling's IP, or from an address that proved by ICE it is the other box
            if ((allowed == null || !allowed.equals(from.getAddress())) && (agent == null || !agent.verified(from))) {
                if (allowed == null) {
                    early++; // media that overtook the SDP answer naming its sender: it cannot be admitted yet
                } else {
                    rejected++;
                }
                packet.release();
                return;
            }
            boolean rtcpMuxed = isRtp && isRtcp(data);
            if (agent != null && agent.selected(isRtp ? 1 : 2)) {
                // ICE chose where this side's media goes: packets still arriving by another path (the third
                // box's relay, while the other side switches) must not pull it back there
            } else if (isRtp && !rtcpMuxed) {
                if (!from.equals(latchedRtp)) {
                    latchedRtp = from; // first packet, or the phone's NAT mapping moved
                }
            } else if (!from.equals(latchedRtcp)) {
                latchedRtcp = from;
            }
            long now = System.nanoTime();
            counter.count(data, isRtp && !rtcpMuxed, now);
            call.touched(now);
            Leg to = other;
            InetSocketAddress dest = isRtp && !rtcpMuxed ? to.rtpDestination() : to.rtcpDestination();
            Channel out = isRtp ? to.rtp : to.rtcp;
            if (dest == null || out == null) {
                undeliverable++;
                packet.release();
                return;
            }
            out.write(new DatagramPacket(data, dest), out.voidPromise());
            if (unflushed != null && unflushed != out) {
                unflushed.flush();
            }
            unflushed = out;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (unflushed != null) {
                unflushed.flush();
                unflushed = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // an ICMP port unreachable from a phone that went away: the idle timeout ends the call
        }
    }

    /** RTCP multiplexed on the RTP port (RFC 5761): payload types 192-223 in the second byte. */
    private static boolean isRtcp(ByteBuf b) {
        if (b.readableBytes() < 2) {
            return false;
        }
        int pt = b.getUnsignedByte(b.readerIndex() + 1);
        return pt >= 192 && pt <= 223;
    }
}
