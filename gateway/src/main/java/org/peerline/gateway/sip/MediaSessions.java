package org.peerline.gateway.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.peerline.relay.IceAgent;
import org.peerline.relay.Leg;
import org.peerline.relay.MediaRelay;
import org.peerline.relay.RelayCall;
import org.peerline.relay.Sdp;

/**
 * The media of the calls this box proxies, through its relay: for each dialog (by Call-ID) one relayed stream
 * per m= line, leg A facing the caller's side and leg B the callee's. Every SDP body the proxy forwards passes
 * here: the sender's leg learns where the sender wants media (and from which IP its signalling came, the only
 * source it accepts), and the body leaves pointing at the other leg. Which side sent a body is told by tags,
 * not addresses (both phones may sit behind one NAT): requests whose From tag is the caller's come from side
 * A, responses to them from side B, and the other way round.
 *
 * <p>Each side is a phone of this box (its LAN side) or another box of the federation (its WAN side, reached
 * over the federation's TLS link); a body leaving towards a side carries the relay's address for that side
 * ({@link org.peerline.relay.RelaySettings#advertised}). Across sites the media thus runs phone, this relay, the
 * other box's relay, its phone: each box rewrites the SDP for its own side.
 */
final class MediaSessions {
    private final MediaRelay relay;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * What faces each side of a dialog: a phone of this box, or another box (the WAN side); {@code route}, when
     * the call to the other box goes through a third box's relay, says which and why (null otherwise).
     */
    record Sides(boolean callerIsBox, boolean calleeIsBox, String route) {
        static final Sides PHONES = new Sides(false, false, null);
    }

    private static final class Session {
        final String callId;
        final String callerTag;
        final Sides sides;
        final long startedMillis = System.currentTimeMillis();
        final List<RelayCall> streams = new ArrayList<>();
        /** Which side sent the dialog's first SDP body (the offer): ICE's controlling side is the box that sent it on. */
        final boolean offerFromCaller;
        int bodies;

        Session(String callId, String callerTag, Sides sides, boolean offerFromCaller) {
            this.callId = callId;
            this.callerTag = callerTag;
            this.sides = sides;
            this.offerFromCaller = offerFromCaller;
        }
    }

    /** How long the first offer of a call towards another box may wait for the relay's public address. */
    static final long GATHER_MILLIS = 400;

    private volatile Supplier<InetSocketAddress> stunServer = () -> null;

    MediaSessions(MediaRelay relay) {
        this.relay = relay;
    }

    /** Where the relay learns its sockets' public addresses for ICE (a box behind a NAT); the supplier may give null. */
    void stunServer(Supplier<InetSocketAddress> server) {
        this.stunServer = server;
    }

    /** True if a request with From tag {@code fromTag} in dialog {@code callId} comes from the caller's side. */
    boolean fromCaller(String callId, String fromTag) {
        Session s = sessions.get(callId);
        return s == null || s.callerTag == null || s.callerTag.equals(fromTag);
    }

    /**
     * The SDP body that leaves the box for {@code body} sent by one side of dialog {@code callId}; opens the
     * dialog's relayed streams on its first offer ({@code callerTag}: the initial INVITE's From tag).
     *
     * @param fromCaller  the body comes from the caller's side
     * @param source      the IP the body's SIP message came from
     * @param sides       what faces each side, for a dialog this box has not seen yet (an initial INVITE)
     * @throws IllegalArgumentException when the body is not valid SDP
     * @throws IOException when the relay has no ports left
     */
    String rewrite(String callId, String callerTag, boolean fromCaller, InetAddress source, String body, Sides sides)
            throws IOException {
        Sdp sdp = Sdp.parse(body);
        Session s = sessions.computeIfAbsent(callId, k -> new Session(callId, callerTag, sides, fromCaller));
        List<Integer> ports = new ArrayList<>();
        List<List<String>> iceLines = new ArrayList<>();
        boolean fromBox;
        boolean towardsBox;
        synchronized (s) {
            fromBox = fromCaller ? s.sides.callerIsBox() : s.sides.calleeIsBox();
            towardsBox = fromCaller ? s.sides.calleeIsBox() : s.sides.callerIsBox();
            boolean offer = s.bodies++ == 0;
            for (int i = 0; i < sdp.media().size(); i++) {
                if (i == s.streams.size()) {
                    s.streams.add(relay.open(callId + "/" + i)); // a new m= line in this offer
                }
                if (s.streams.get(i).closed()) {
                    s.streams.set(i, relay.open(callId + "/" + i)); // idle too long (a long hold): anew
                }
                RelayCall stream = s.streams.get(i);
                Sdp.Media m = sdp.media().get(i);
                Leg from = fromCaller ? stream.a() : stream.b();
                Leg to = fromCaller ? stream.b() : stream.a();
                if (m.active()) {
                    from.expect(source, resolved(m.rtp()), resolved(m.rtcp()));
                }
                ports.add(to.rtpPort());
                iceLines.add(m.active() ? ice(s, fromCaller, fromBox, towardsBox, offer, from, to, m, sdp.ice(i))
                        : List.of());
            }
        }
        // a third box passes the two boxes' ICE through (adding its relay as a candidate); others speak their own
        return sdp.rewrite(relay.settings().advertised(towardsBox), ports, iceLines, fromBox && towardsBox);
    }

    /**
     * ICE on the legs that face other boxes: the other box's credentials and candidates go to the leg that faces
     * it; a body leaving towards a box carries this relay's own (gathered from the STUN server first, on the
     * call's first offer). A third box adds its relay leg as a relayed candidate, so that the two boxes can fall
     * back on it. Phones get no ICE attributes: they talk to this relay only.
     *
     * @return the attribute lines that end this m= section in the body that leaves
     */
    private List<String> ice(Session s, boolean fromCaller, boolean fromBox, boolean towardsBox, boolean offer,
                             Leg from, Leg to, Sdp.Media m, Sdp.Ice theirs) {
        var settings = relay.settings();
        if (!settings.ice()) {
            return List.of();
        }
        if (fromBox && towardsBox) {
            if (theirs == null) {
                return List.of();
            }
            List<String> lines = new ArrayList<>();
            String wan = settings.wanAddress();
            for (int c = 1; c <= (m.rtcpMux() ? 1 : 2); c++) {
                int port = c == 1 ? to.rtpPort() : to.rtcpPort();
                InetSocketAddress at = new InetSocketAddress(wan, port);
                lines.add("a=" + IceAgent.Candidate.relayed(c, at).sdp());
            }
            return lines;
        }
        if (fromBox && theirs != null) {
            // the leg faces the sender's box; this box controls if the other side sent the dialog's offer
            boolean legFacesCallee = !fromCaller;
            IceAgent agent = from.ice(s.callId, legFacesCallee == s.offerFromCaller, m.rtcpMux());
            List<IceAgent.Candidate> candidates = new ArrayList<>();
            for (String line : theirs.candidates()) {
                IceAgent.Candidate c = IceAgent.Candidate.parse(line);
                if (c != null) {
                    candidates.add(c);
                }
            }
            agent.gathered(stunServer.get(), GATHER_MILLIS); // ready by the time the answer leaves
            agent.remote(new IceAgent.Credentials(theirs.ufrag(), theirs.pwd()), candidates);
        }
        if (!towardsBox) {
            return List.of();
        }
        IceAgent agent = offer ? to.ice(s.callId, true, m.rtcpMux()) : to.ice();
        if (agent == null) {
            return List.of(); // the other box offered no ICE: none in the answer either
        }
        try {
            agent.gathered(stunServer.get(), GATHER_MILLIS).get(GATHER_MILLIS + 100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // no public address learned: the host candidate and the other side's checks still work
        }
        List<String> lines = new ArrayList<>();
        lines.add("a=ice-ufrag:" + agent.credentials().ufrag());
        lines.add("a=ice-pwd:" + agent.credentials().pwd());
        for (IceAgent.Candidate c : agent.candidates(settings.wanAddress())) {
            lines.add("a=" + c.sdp());
        }
        return lines;
    }

    /** The relayed calls now, each with its path and why it takes it. */
    List<RelayedCall> calls() {
        List<RelayedCall> out = new ArrayList<>();
        for (Session s : sessions.values()) {
            synchronized (s) {
                out.add(describe(s));
            }
        }
        return out;
    }

    private RelayedCall describe(Session s) {
        var settings = relay.settings();
        String caller = side(s.sides.callerIsBox());
        String callee = side(s.sides.calleeIsBox());
        String path;
        String why;
        if (s.sides.callerIsBox() && s.sides.calleeIsBox()) {
            path = "relay of the caller's box <-> relay " + settings.wanAddress() + " (this box) <-> relay of the callee's box";
            why = "third-box relay: the caller's box and the callee's box cannot reach each other, and the caller's box"
                    + " chose this box, which both can connect to, to carry the call; it offers each its WAN address "
                    + settings.wanAddress() + " and sends to where each relay's packets come from";
        } else if (!s.sides.callerIsBox() && !s.sides.calleeIsBox()) {
            path = "phone <-> relay " + settings.address() + " <-> phone";
            why = "both phones are this box's: the relay latches each to the address its packets come from"
                    + " (through any NAT), accepting only the IP its SIP came from";
        } else {
            String box = s.sides.callerIsBox() ? "caller's box" : "callee's box";
            // a call this box sent to a third box (the callee's box cannot be reached) has that box's relay beyond
            String far = s.sides.route() != null ? "relay of the relay box" : "relay of the " + box;
            path = s.sides.callerIsBox()
                    ? far + " <-> relay " + settings.wanAddress() + " | " + settings.address() + " <-> phone"
                    : "phone <-> relay " + settings.address() + " | " + settings.wanAddress() + " <-> " + far;
            why = "cross-site: each box relays its own phones; this relay offers the " + box + " its WAN address "
                    + settings.wanAddress() + (settings.twoSided() ? " (relay.wan-address)" : " (its only address)")
                    + ", sends where the other relay's SDP says (or, if that is not where its SIP came from, to that"
                    + " IP at the SDP's ports) until that relay's packets arrive, then to where they come from,"
                    + " accepting only the IP of the " + box + "'s SIP"
                    + (s.sides.route() != null ? ". The callee's box and this box cannot reach each other: "
                    + s.sides.route() : "");
        }
        String ice = iceStatus(s);
        if (ice != null) {
            why += ". " + ice;
        }
        return new RelayedCall(s.callId, s.startedMillis, caller, callee, path, why, List.copyOf(s.streams));
    }

    /** What ICE found on the legs that face other boxes (first stream), or null when none does ICE. */
    private static String iceStatus(Session s) {
        if (s.streams.isEmpty()) {
            return null;
        }
        RelayCall first = s.streams.get(0);
        List<String> out = new ArrayList<>();
        for (Leg leg : List.of(first.a(), first.b())) {
            IceAgent agent = leg.ice();
            if (agent != null) {
                out.add("ICE with the " + (leg == first.a() ? "caller's" : "callee's") + " box ("
                        + (agent.controlling() ? "this box controls" : "the other box controls") + "): " + agent.status());
            }
        }
        return out.isEmpty() ? null : String.join("; ", out);
    }

    private String side(boolean box) {
        return box ? "box (WAN side, offered " + relay.settings().wanAddress() + ")"
                : "phone (LAN side, offered " + relay.settings().address() + ")";
    }

    private static InetSocketAddress resolved(InetSocketAddress a) {
        return a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a;
    }

    /** Ends the dialog's media: its streams' ports go back to the relay. */
    void close(String callId) {
        Session s = sessions.remove(callId);
        if (s != null) {
            synchronized (s) {
                s.streams.forEach(RelayCall::close);
            }
        }
    }

    /**
     * Forgets dialogs whose every stream the relay closed for idleness (a call whose BYE never came this way), so
     * the table does not grow with them. Housekeeping, once a minute.
     */
    void prune() {
        sessions.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().streams.stream().allMatch(RelayCall::closed);
            }
        });
    }
}
