package org.peerline.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.PriorityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.restcomm.media.sdp.SdpException;
import org.restcomm.media.sdp.ice.attributes.CandidateAttribute;
import org.restcomm.media.sdp.ice.attributes.parser.CandidateAttributeParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICE (RFC 8445) on one leg of a relayed call, the leg that faces another box: the two relays find a path
 * between their sockets through whatever NATs lie between them. Each side lists its candidates in its SDP (its
 * own address, the address a STUN server saw its socket's packets come from, and, when the call crosses a third
 * box, that box's relay); both send connectivity checks (STUN Binding requests signed with the other's
 * password) from the leg's own sockets to every candidate of the other, which opens the NATs on the way; the
 * caller's box (controlling) nominates the best pair that answered, and media takes it. Until then, and for
 * good if no pair works, media goes where the SDP's connection line says.
 *
 * <p>Full ICE with regular nomination, one checklist per leg (component 1 RTP, 2 RTCP unless rtcp-mux); no
 * trickle, no ICE restart (a re-INVITE keeps the credentials and the pair). Once a pair is chosen, consent
 * freshness (RFC 7675) checks it every 4-6 s with a signed Binding request; without an answer for 30 s, consent
 * has expired and the relay stops sending on that pair (the other box is gone, or no longer wants the media).
 * These requests also keep the NAT mappings open through a call on hold. STUN messages are ice4j's; they
 * travel on the relay's netty sockets, demultiplexed from RTP by their first byte (RFC 7983). All state is
 * touched on the leg's event loop only.
 */
public final class IceAgent {
    private static final Logger LOG = LoggerFactory.getLogger(IceAgent.class);
    /** Type preferences of RFC 8445 §5.1.2.2. */
    static final int HOST = 126;
    static final int PEER_REFLEXIVE = 110;
    static final int SERVER_REFLEXIVE = 100;
    static final int RELAYED = 0;
    /** Pacing of new checks (RFC 8445 §14.2's Ta) and the first retransmission timeout. */
    static final long TA_MILLIS = 20;
    static final long RTO_MILLIS = 100;
    /** Sends of one check before its pair fails: 100 + 200 + 400 + 800 + 1600 x 3 ms, about 6 s. */
    static final int MAX_SENDS = 7;
    /** How long the controlling side waits after a first pair works for better ones to answer. */
    static final long NOMINATION_GRACE_MILLIS = 1500;
    /** Consent freshness (RFC 7675): how often the chosen pair is checked, and when consent expires. */
    public record Consent(long intervalMillis, long timeoutMillis) {
        /** RFC 7675 §5.1: a check every 5 s (randomised to 4-6 s), consent lost after 30 s without an answer. */
        public static final Consent DEFAULT = new Consent(5_000, 30_000);
    }
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A candidate as SDP carries it (RFC 8839 §5.1). */
    public record Candidate(String foundation, int component, long priority, InetSocketAddress address, String type,
                            InetSocketAddress related) {
        /** The value of its a=candidate attribute. */
        public String sdp() {
            return "candidate:" + foundation + " " + component + " UDP " + priority + " "
                    + address.getAddress().getHostAddress() + " " + address.getPort() + " typ " + type
                    + (related != null ? " raddr " + related.getAddress().getHostAddress() + " rport " + related.getPort() : "");
        }

        /**
         * A third box's relay leg at {@code at} as a candidate of one of the two boxes whose call it carries: the
         * lowest type preference, so that a direct path wins whenever one works.
         */
        public static Candidate relayed(int component, InetSocketAddress at) {
            return new Candidate("3", component, IceAgent.priority(RELAYED, 65535, component), at, "relay", at);
        }

        /** Reads an a=candidate line with restcomm's parser; null for one the relay cannot use (TCP, a hostname). */
        public static Candidate parse(String line) {
            CandidateAttribute c;
            try {
                c = new CandidateAttributeParser().parse(line.trim());
            } catch (SdpException | RuntimeException e) {
                return null;
            }
            if (!"udp".equalsIgnoreCase(c.getProtocol()) || !isLiteral(c.getAddress())) {
                return null;
            }
            InetSocketAddress related = c.getRelatedAddress() != null && isLiteral(c.getRelatedAddress())
                    ? new InetSocketAddress(c.getRelatedAddress(), c.getRelatedPort()) : null;
            return new Candidate(c.getFoundation(), c.getComponentId(), c.getPriority(),
                    new InetSocketAddress(c.getAddress(), c.getPort()), c.getCandidateType(), related);
        }

        private static boolean isLiteral(String address) {
            return address.matches("[0-9.]+") || address.contains(":");
        }
    }

    /** The short-term credentials of one side (RFC 8445 §5.3: a=ice-ufrag, a=ice-pwd). */
    public record Credentials(String ufrag, String pwd) {
        static Credentials random() {
            return new Credentials(token(6), token(24));
        }

        private static String token(int bytes) {
            byte[] b = new byte[bytes];
            RANDOM.nextBytes(b);
            return java.util.HexFormat.of().formatHex(b);
        }
    }

    private enum State { WAITING, IN_PROGRESS, SUCCEEDED, FAILED }

    /** A local socket (by component) and a remote address: what one check tests. */
    private static final class Pair {
        final int component;
        final InetSocketAddress remote;
        final String remoteType;
        final long priority;
        State state = State.WAITING;
        byte[] transaction;
        int sends;
        long nextSendNanos;
        boolean triggered;
        boolean useCandidate;
        boolean nominatedByPeer;

        Pair(int component, InetSocketAddress remote, String remoteType, long priority) {
            this.component = component;
            this.remote = remote;
            this.remoteType = remoteType;
            this.priority = priority;
        }

        @Override
        public String toString() {
            return remote.getAddress().getHostAddress() + ":" + remote.getPort() + " (" + remoteType + ")";
        }
    }

    private final Leg leg;
    private final String callId;
    private final boolean controlling;
    private final boolean rtcpMux;
    private final Credentials local = Credentials.random();
    private final long tieBreaker = RANDOM.nextLong();
    private Credentials remote;
    private final List<Pair> pairs = new ArrayList<>();
    /** Remote sockets that answered a check or sent one signed with this side's password: media from them is admitted. */
    private final Set<InetSocketAddress> verified = new HashSet<>();
    private final InetSocketAddress[] selected = new InetSocketAddress[3];
    private final Map<String, CompletableFuture<InetSocketAddress>> binding = new HashMap<>();
    private final InetSocketAddress[] reflexive = new InetSocketAddress[3];
    private ScheduledFuture<?> ticker;
    private final Consent consent;
    private ScheduledFuture<?> consentTimer;
    /** Per component: the transaction of the consent check in flight, and when consent was last granted. */
    private final byte[][] consentTransaction = new byte[3][];
    private final long[] consentNanos = new long[3];
    private final boolean[] consentLost = new boolean[3];
    private long firstSuccessNanos;
    private volatile String status = "waiting for the other box's candidates";
    private long unauthenticated;

    IceAgent(Leg leg, String callId, boolean controlling, boolean rtcpMux, Consent consent) {
        this.leg = leg;
        this.consent = consent;
        this.callId = callId;
        this.controlling = controlling;
        this.rtcpMux = rtcpMux;
    }

    /** This side's credentials, for its SDP. */
    public Credentials credentials() {
        return local;
    }

    public boolean controlling() {
        return controlling;
    }

    private EventLoop loop() {
        return leg.rtp.eventLoop();
    }

    private Channel channel(int component) {
        return component == 1 ? leg.rtp : leg.rtcp;
    }

    private int components() {
        return rtcpMux ? 1 : 2;
    }

    private CompletableFuture<Void> gathering;

    /**
     * {@link #gather} once per leg: the first call asks {@code stunServer} (null: nobody, completes at once), later
     * calls get the same future.
     */
    public synchronized CompletableFuture<Void> gathered(InetSocketAddress stunServer, long timeoutMillis) {
        if (gathering == null) {
            gathering = stunServer == null ? CompletableFuture.completedFuture(null) : gather(stunServer, timeoutMillis);
        }
        return gathering;
    }

    /**
     * Asks a STUN server where this leg's sockets appear from outside (their server-reflexive addresses);
     * completes within {@code timeoutMillis}, with whatever was learned by then.
     */
    public CompletableFuture<Void> gather(InetSocketAddress stunServer, long timeoutMillis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop().execute(() -> {
            loop().schedule(() -> {
                binding.clear();
                done.complete(null);
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                ask(stunServer, done);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("ice: call {} leg {}: cannot ask {} for this leg's public address: {}", callId, leg.rtpPort(),
                        stunServer, e.toString());
                done.complete(null); // the host candidate and the checks still work
            }
        });
        return done;
    }

    /** Sends each of the leg's sockets' Binding request (three tries); {@code done} completes when all are answered. */
    private void ask(InetSocketAddress stunServer, CompletableFuture<Void> done) {
        List<CompletableFuture<InetSocketAddress>> asked = new ArrayList<>();
        for (int c = 1; c <= components(); c++) {
            int component = c;
            byte[] id = transactionId();
            CompletableFuture<InetSocketAddress> answer = new CompletableFuture<>();
            binding.put(key(id), answer);
            answer.thenAccept(a -> reflexive[component] = a);
            Request request = MessageFactory.createBindingRequest();
            setTransaction(request, id);
            byte[] wire = Stun.encode(request, null);
            for (long at : new long[] {0, 100, 250}) { // lost requests are sent again
                loop().schedule(() -> {
                    if (!answer.isDone()) {
                        send(component, stunServer, wire);
                    }
                }, at, TimeUnit.MILLISECONDS);
            }
            asked.add(answer);
        }
        CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenRun(() -> done.complete(null));
    }

    /**
     * This side's candidates for its SDP: {@code host} (the address the relay advertises to boxes) and, where a
     * STUN server saw another, the server-reflexive address. Call after {@link #gather} completed.
     */
    public List<Candidate> candidates(String host) {
        List<Candidate> out = new ArrayList<>();
        for (int c = 1; c <= components(); c++) {
            int port = c == 1 ? leg.rtpPort() : leg.rtcpPort();
            InetSocketAddress h = new InetSocketAddress(host, port);
            out.add(new Candidate("1", c, priority(HOST, 65535, c), h, "host", null));
            InetSocketAddress r = reflexive[c];
            if (r != null && !r.equals(h)) {
                out.add(new Candidate("2", c, priority(SERVER_REFLEXIVE, 65535, c), r, "srflx", h));
            }
        }
        return out;
    }

    /** RFC 8445 §5.1.2.1. */
    static long priority(int typePreference, int localPreference, int component) {
        return ((long) typePreference << 24) + ((long) localPreference << 8) + (256 - component);
    }

    /** RFC 8445 §6.1.2.3: G the controlling side's candidate priority, D the controlled side's. */
    static long pairPriority(long g, long d) {
        return (Math.min(g, d) << 32) + 2 * Math.max(g, d) + (g > d ? 1 : 0);
    }

    /**
     * What the other box's SDP says: its credentials and candidates. Starts the checks; the same credentials
     * again (a re-INVITE) change nothing.
     */
    public void remote(Credentials credentials, List<Candidate> candidates) {
        loop().execute(() -> {
            if (credentials.equals(remote)) {
                return;
            }
            if (remote != null) {
                LOG.info("ice: call {} leg {}: the other box changed its ICE credentials; this relay does no ICE restart,"
                        + " the pair chosen stays", callId, leg.rtpPort());
                return;
            }
            remote = credentials;
            long mine = priority(HOST, 65535, 1);
            for (Candidate c : candidates) {
                if (c.component() < 1 || c.component() > components() || pair(c.component(), c.address()) != null) {
                    continue;
                }
                long p = controlling ? pairPriority(mine, c.priority()) : pairPriority(c.priority(), mine);
                pairs.add(new Pair(c.component(), c.address(), c.type(), p));
            }
            status = "checking " + pairs.size() + " pairs";
            LOG.debug("ice: call {} leg {} ({}): checking {}", callId, leg.rtpPort(), role(), pairs);
            startTicker();
        });
    }

    private String role() {
        return controlling ? "controlling" : "controlled";
    }

    private void startTicker() {
        if (ticker == null || ticker.isDone()) {
            ticker = loop().scheduleAtFixedRate(this::tick, 0, TA_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private Pair pair(int component, InetSocketAddress remoteAddress) {
        for (Pair p : pairs) {
            if (p.component == component && p.remote.equals(remoteAddress)) {
                return p;
            }
        }
        return null;
    }

    /** One round of the checklist: retransmit what is due, start the next check, nominate when it is time. */
    private void tick() {
        if (!leg.rtp.isOpen()) {
            stop();
            return;
        }
        long now = System.nanoTime();
        boolean active = false;
        for (Pair p : pairs) {
            if (p.state == State.IN_PROGRESS && now >= p.nextSendNanos) {
                if (p.sends >= MAX_SENDS) {
                    p.state = State.FAILED;
                    LOG.debug("ice: call {} leg {}: no answer from {}", callId, leg.rtpPort(), p);
                } else {
                    sendCheck(p, now);
                }
            }
            active |= p.state == State.IN_PROGRESS;
        }
        Pair next = pairs.stream().filter(p -> p.state == State.WAITING)
                .max(Comparator.comparing((Pair p) -> p.triggered).thenComparingLong(p -> p.priority)).orElse(null);
        if (next != null) {
            sendCheck(next, now);
            active = true;
        }
        if (controlling) {
            for (int c = 1; c <= components(); c++) {
                active |= nominate(c, now);
            }
        }
        if (!active && remote != null) {
            stop();
            boolean worked = pairs.stream().anyMatch(p -> p.component == 1 && p.state == State.SUCCEEDED);
            if (selected[1] == null && worked) {
                status = "waiting for the other box to nominate a pair";
            } else if (selected[1] == null) {
                status = "failed: no pair answered; media stays on the path of the SDP's address";
                LOG.warn("ice: call {} leg {} ({}): no candidate pair answered ({}); media stays on the path of the SDP's"
                        + " connection address", callId, leg.rtpPort(), role(), pairs);
            }
        }
    }

    /**
     * The controlling side nominates the best pair that works once no better one is still being checked, or
     * {@value #NOMINATION_GRACE_MILLIS} ms after the first worked. True while it has more to do.
     */
    private boolean nominate(int component, long now) {
        if (selected[component] != null || pairs.stream().anyMatch(p -> p.component == component && p.useCandidate)) {
            return pairs.stream().anyMatch(p -> p.component == component && p.useCandidate && p.state == State.IN_PROGRESS);
        }
        Pair best = pairs.stream().filter(p -> p.component == component && p.state == State.SUCCEEDED)
                .max(Comparator.comparingLong(p -> p.priority)).orElse(null);
        if (best == null) {
            return false;
        }
        boolean betterPending = pairs.stream().anyMatch(p -> p.component == component && p.priority > best.priority
                && (p.state == State.WAITING || p.state == State.IN_PROGRESS));
        if (betterPending && now - firstSuccessNanos < TimeUnit.MILLISECONDS.toNanos(NOMINATION_GRACE_MILLIS)) {
            return true;
        }
        best.useCandidate = true;
        best.state = State.IN_PROGRESS;
        best.sends = 0;
        sendCheck(best, now);
        return true;
    }

    private void sendCheck(Pair p, long now) {
        if (p.sends == 0 || p.transaction == null) {
            p.transaction = transactionId();
        }
        p.state = State.IN_PROGRESS;
        p.sends++;
        p.nextSendNanos = now + TimeUnit.MILLISECONDS.toNanos(Math.min(RTO_MILLIS << (p.sends - 1), 1600));
        send(p.component, p.remote, check(p.transaction, remote.ufrag() + ":" + local.ufrag(),
                priority(PEER_REFLEXIVE, 65535, p.component), controlling, tieBreaker, p.useCandidate, remote.pwd()));
    }

    /**
     * A connectivity check on the wire (RFC 8445 §7.2.2): Binding request with USERNAME, PRIORITY (of the
     * peer-reflexive candidate it may reveal), ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE when it nominates,
     * signed with the other side's password, fingerprinted.
     */
    static byte[] check(byte[] transaction, String username, long priority, boolean controlling, long tieBreaker,
                        boolean useCandidate, String password) {
        Request check = MessageFactory.createBindingRequest();
        setTransaction(check, transaction);
        check.putAttribute(AttributeFactory.createUsernameAttribute(username));
        check.putAttribute(AttributeFactory.createPriorityAttribute(priority));
        check.putAttribute(controlling ? AttributeFactory.createIceControllingAttribute(tieBreaker)
                : AttributeFactory.createIceControlledAttribute(tieBreaker));
        if (useCandidate) {
            check.putAttribute(AttributeFactory.createUseCandidateAttribute());
        }
        return Stun.encode(check, Stun.key(password));
    }

    /** The success answer to a check (RFC 8445 §7.3.1): XOR-MAPPED-ADDRESS {@code from}, signed with this side's password. */
    static byte[] success(Request check, InetSocketAddress from, String password) {
        Message response = MessageFactory.createBindingResponse(check,
                new TransportAddress(from.getAddress(), from.getPort(), Transport.UDP));
        setTransaction(response, check.getTransactionID());
        return Stun.encode(response, Stun.key(password));
    }

    /** A STUN message that reached this leg's socket of {@code component}. Called on the leg's event loop. */
    void receive(int component, InetSocketAddress from, byte[] raw) {
        Message m = Stun.decode(raw);
        if (m == null) {
            return;
        }
        char type = m.getMessageType();
        if (type == Message.BINDING_REQUEST) {
            answer(component, from, raw, m);
        } else if (Message.isResponseType(type)) {
            response(component, from, raw, m);
        } // indications are keepalives: nothing to do
    }

    private void answer(int component, InetSocketAddress from, byte[] raw, Message request) {
        UsernameAttribute user = (UsernameAttribute) request.getAttribute(Attribute.USERNAME);
        String name = user == null ? "" : new String(user.getUsername(), StandardCharsets.UTF_8);
        if (!name.startsWith(local.ufrag() + ":") || !Stun.signedWith(raw, Stun.key(local.pwd()))) {
            unauthenticated++; // not for this leg, or not from the box that has its password: no answer
            return;
        }
        send(component, from, success((Request) request, from, local.pwd()));
        verified.add(from);
        // a triggered check back (RFC 8445 §7.3.1.4), on a peer-reflexive pair if the address is new
        Pair p = pair(component, from);
        if (p == null) {
            PriorityAttribute prio = (PriorityAttribute) request.getAttribute(Attribute.PRIORITY);
            long theirs = prio != null ? prio.getPriority() : priority(PEER_REFLEXIVE, 65535, component);
            long mine = priority(HOST, 65535, component);
            p = new Pair(component, from, "prflx", controlling ? pairPriority(mine, theirs) : pairPriority(theirs, mine));
            pairs.add(p);
        }
        if (p.state == State.WAITING || p.state == State.FAILED) {
            p.state = State.WAITING;
            p.sends = 0;
            p.triggered = true;
        }
        if (!controlling && request.getAttribute(Attribute.USE_CANDIDATE) != null) {
            p.nominatedByPeer = true;
            if (p.state == State.SUCCEEDED) {
                select(p);
            }
        }
        if (remote != null) {
            startTicker();
        }
    }

    private void response(int component, InetSocketAddress from, byte[] raw, Message response) {
        String id = key(response.getTransactionID());
        byte[] consentId = consentTransaction[component];
        if (consentId != null && key(consentId).equals(id)) {
            if (Message.isSuccessResponseType(response.getMessageType()) && from.equals(selected[component])
                    && remote != null && Stun.signedWith(raw, Stun.key(remote.pwd()))) {
                consentNanos[component] = System.nanoTime();
                consentTransaction[component] = null;
            }
            return;
        }
        CompletableFuture<InetSocketAddress> asked = binding.remove(id);
        if (asked != null) {
            XorMappedAddressAttribute mapped = (XorMappedAddressAttribute) response.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
            if (mapped != null) {
                TransportAddress a = mapped.getAddress(response.getTransactionID());
                asked.complete(new InetSocketAddress(a.getAddress(), a.getPort()));
            }
            return;
        }
        Pair p = null;
        for (Pair q : pairs) {
            if (q.component == component && q.state == State.IN_PROGRESS && q.transaction != null
                    && key(q.transaction).equals(id)) {
                p = q;
            }
        }
        if (p == null || remote == null || !Stun.signedWith(raw, Stun.key(remote.pwd()))) {
            return; // not an answer to a check of ours, or not signed by the other box
        }
        if (!Message.isSuccessResponseType(response.getMessageType()) || !from.equals(p.remote)) {
            p.state = State.FAILED; // an error, or an answer from elsewhere (RFC 8445 §7.2.5.2.1: not symmetric)
            return;
        }
        p.state = State.SUCCEEDED;
        verified.add(from);
        if (firstSuccessNanos == 0) {
            firstSuccessNanos = System.nanoTime();
        }
        if (p.useCandidate || p.nominatedByPeer) {
            select(p);
        }
    }

    private void select(Pair p) {
        if (p.remote.equals(selected[p.component])) {
            return;
        }
        selected[p.component] = p.remote;
        leg.select(p.component, p.remote, rtcpMux);
        if (p.component == 1) {
            status = "connected: " + p + (controlling ? ", nominated by this box" : ", nominated by the other box");
            LOG.info("ice: call {} leg {} ({}): media path {}", callId, leg.rtpPort(), role(), p);
        }
        consentNanos[p.component] = System.nanoTime(); // the check that just succeeded is consent (RFC 7675 §5.1)
        if (consentTimer == null) {
            scheduleConsent();
        }
    }

    private void scheduleConsent() {
        long jitter = consent.intervalMillis() / 5;
        long delay = consent.intervalMillis() - jitter + (long) (RANDOM.nextDouble() * 2 * jitter);
        consentTimer = loop().schedule(this::consentCheck, delay, TimeUnit.MILLISECONDS);
    }

    /** RFC 7675 §5.1: a signed check on each chosen pair; consent expires after the timeout without an answer. */
    private void consentCheck() {
        if (!leg.rtp.isOpen()) {
            stop();
            return;
        }
        long now = System.nanoTime();
        for (int c = 1; c <= components(); c++) {
            if (selected[c] == null || consentLost[c]) {
                continue;
            }
            if (now - consentNanos[c] > TimeUnit.MILLISECONDS.toNanos(consent.timeoutMillis())) {
                consentLost[c] = true;
                leg.consentExpired(c, rtcpMux);
                if (c == 1) {
                    status = "consent expired: no answer from " + selected[c] + " for "
                            + consent.timeoutMillis() / 1000 + " s; media to it stopped";
                }
                LOG.warn("ice: call {} leg {} ({}): consent expired, {} did not answer for {} ms; no more media to it",
                        callId, leg.rtpPort(), role(), selected[c], consent.timeoutMillis());
                continue;
            }
            consentTransaction[c] = transactionId();
            send(c, selected[c], check(consentTransaction[c], remote.ufrag() + ":" + local.ufrag(),
                    priority(PEER_REFLEXIVE, 65535, c), controlling, tieBreaker, false, remote.pwd()));
        }
        scheduleConsent();
    }

    /** True once ICE chose a pair for {@code component} (on the leg's loop). */
    boolean selected(int component) {
        return component < selected.length && selected[component] != null;
    }

    /** True if media from {@code from} may be admitted: it proved, through a check, that it is the other box. */
    boolean verified(InetSocketAddress from) {
        return verified.contains(from);
    }

    /** Where ICE stands, for the call's record. */
    public String status() {
        return status;
    }

    /** Requests that reached this leg with the wrong credentials (none in a healthy call). */
    long unauthenticated() {
        return unauthenticated;
    }

    void stop() {
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (!leg.rtp.isOpen() && consentTimer != null) {
            consentTimer.cancel(false);
        }
    }

    private void send(int component, InetSocketAddress to, byte[] wire) {
        Channel ch = channel(component);
        if (ch != null && ch.isOpen()) {
            ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(wire), to), ch.voidPromise());
        }
    }

    private static byte[] transactionId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return id;
    }

    private static void setTransaction(Message m, byte[] id) {
        try {
            m.setTransactionID(id);
        } catch (StunException e) {
            throw new IllegalStateException(e); // 12 bytes are always valid
        }
    }

    private static String key(byte[] id) {
        return java.util.HexFormat.of().formatHex(id).toLowerCase(Locale.ROOT);
    }
}
