package org.peerline.relay;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.restcomm.media.sdp.SdpException;
import org.restcomm.media.sdp.SessionDescription;
import org.restcomm.media.sdp.SessionDescriptionParser;
import org.restcomm.media.sdp.fields.ConnectionField;
import org.restcomm.media.sdp.fields.MediaDescriptionField;

/**
 * An SDP offer or answer as the relay sees it: where each media stream's RTP and RTCP go, and the same body
 * pointed at the relay instead. Restcomm's parser ({@code org.restcomm.media.sdp}) reads and validates the
 * body; the rewrite then changes only the connection addresses, the m= ports and the a=rtcp ports of the
 * original text and keeps every other byte (codecs, fmtp, SDES crypto keys, ICE or unknown attributes,
 * their order), because the parser's own serialisation drops what it does not model (a=crypto among them).
 */
public final class Sdp {
    /**
     * One m= line, in the body's order.
     *
     * @param type      audio, video, ...
     * @param rtp       where its RTP goes ({@code port 0}: the stream is refused or disabled)
     * @param rtcp      where its RTCP goes (the RTP port + 1 unless a=rtcp says otherwise; the RTP address with
     *                  rtcp-mux)
     * @param rtcpMux   a=rtcp-mux: RTCP shares the RTP port (RFC 5761)
     * @param direction sendrecv, sendonly, recvonly or inactive (hold is sendonly or inactive)
     */
    public record Media(String type, InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux, String direction) {
        /** True if the stream carries media at all (a port other than 0). */
        public boolean active() {
            return rtp.getPort() != 0;
        }
    }

    /**
     * The ICE attributes of one m= line (RFC 8839): the credentials (the session's where the m= line has none)
     * and its a=candidate lines; null for a stream without ICE.
     */
    public record Ice(String ufrag, String pwd, List<String> candidates) {
        public Ice {
            candidates = List.copyOf(candidates);
        }
    }

    /** Attributes of ICE (RFC 8839 §5, RFC 8840): dropped by {@link #rewrite(String, List, List, boolean)} on request. */
    private static final List<String> ICE_ATTRIBUTES = List.of("a=ice-ufrag:", "a=ice-pwd:", "a=ice-options:",
            "a=ice-lite", "a=ice-mismatch", "a=candidate:", "a=remote-candidates:", "a=end-of-candidates",
            "a=ice-pacing:");

    static boolean isIce(String line) {
        for (String a : ICE_ATTRIBUTES) {
            if (line.startsWith(a)) {
                return true;
            }
        }
        return false;
    }

    private static final Map<String, String> DIRECTIONS = Map.of("a=sendrecv", "sendrecv", "a=sendonly", "sendonly",
            "a=recvonly", "recvonly", "a=inactive", "inactive");

    private final String text;
    private final List<Media> media;
    private final List<Ice> ice;

    private Sdp(String text, List<Media> media, List<Ice> ice) {
        this.text = text;
        this.media = List.copyOf(media);
        this.ice = java.util.Collections.unmodifiableList(new ArrayList<>(ice));
    }

    /**
     * Reads an SDP body.
     *
     * @throws IllegalArgumentException with the reason when it is not valid SDP or names no usable address
     */
    public static Sdp parse(String text) {
        if (!text.startsWith("v=0")) {
            // the parser skips lines it does not know; RFC 4566 §5: a description starts with its version
            throw new IllegalArgumentException("not valid SDP: it must start with v=0");
        }
        SessionDescription parsed;
        try {
            parsed = SessionDescriptionParser.parse(text);
        } catch (SdpException | RuntimeException e) {
            throw new IllegalArgumentException("not valid SDP: " + e.getMessage(), e);
        }
        String sessionAddress = address(parsed.getConnection());
        String sessionDirection = "sendrecv";
        List<Media> media = new ArrayList<>();
        String type = null;
        int port = 0;
        String address = null;
        Integer rtcpPort = null;
        String rtcpAddress = null;
        boolean mux = false;
        String direction = null;
        String[] sessionIce = new String[2];
        String[] mediaIce = new String[2];
        List<String> candidates = new ArrayList<>();
        List<Ice> ice = new ArrayList<>();
        for (String line : lines(text)) {
            if (line.startsWith("a=ice-ufrag:") || line.startsWith("a=ice-pwd:")) {
                (type == null ? sessionIce : mediaIce)[line.startsWith("a=ice-ufrag:") ? 0 : 1] =
                        line.substring(line.indexOf(':') + 1).trim();
            } else if (line.startsWith("a=candidate:") && type != null) {
                candidates.add(line);
            }
            if (line.startsWith("m=")) {
                if (type != null) {
                    ice.add(ice(sessionIce, mediaIce, candidates));
                    media.add(media(type, port, address, sessionAddress, rtcpPort, rtcpAddress, mux,
                            direction != null ? direction : sessionDirection));
                }
                String[] f = line.substring(2).trim().split(" +");
                type = f[0].toLowerCase(Locale.ROOT);
                port = Integer.parseInt(f[1].contains("/") ? f[1].substring(0, f[1].indexOf('/')) : f[1]);
                address = null;
                rtcpPort = null;
                rtcpAddress = null;
                mux = false;
                direction = null;
                mediaIce = new String[2];
                candidates = new ArrayList<>();
            } else if (line.startsWith("c=") && type != null) {
                address = connectionAddress(line);
            } else if (line.startsWith("a=rtcp:") && type != null) {
                String[] f = line.substring(7).trim().split(" +");
                rtcpPort = Integer.parseInt(f[0]);
                rtcpAddress = f.length >= 4 ? f[3] : null;
            } else if (line.equals("a=rtcp-mux") && type != null) {
                mux = true;
            } else if (DIRECTIONS.containsKey(line)) {
                if (type == null) {
                    sessionDirection = DIRECTIONS.get(line);
                } else {
                    direction = DIRECTIONS.get(line);
                }
            }
        }
        if (type != null) {
            media.add(media(type, port, address, sessionAddress, rtcpPort, rtcpAddress, mux,
                    direction != null ? direction : sessionDirection));
            ice.add(ice(sessionIce, mediaIce, candidates));
        }
        // the parser's model holds one stream per type, the last one: it must agree with what was read here
        for (Media m : media) {
            MediaDescriptionField md = parsed.getMediaDescription(m.type());
            Media last = media.stream().filter(x -> x.type().equals(m.type())).reduce((x, y) -> y).orElse(m);
            if (md != null && last == m && md.getPort() != m.rtp().getPort()) {
                throw new IllegalArgumentException("m=" + m.type() + " port " + m.rtp().getPort() + " disagrees with the"
                        + " parser's " + md.getPort());
            }
        }
        return new Sdp(text, media, ice);
    }

    private static Ice ice(String[] session, String[] media, List<String> candidates) {
        String ufrag = media[0] != null ? media[0] : session[0];
        String pwd = media[1] != null ? media[1] : session[1];
        return ufrag == null || pwd == null ? null : new Ice(ufrag, pwd, candidates);
    }

    private static Media media(String type, int port, String address, String sessionAddress, Integer rtcpPort,
                               String rtcpAddress, boolean mux, String direction) {
        String a = address != null ? address : sessionAddress;
        if (a == null) {
            throw new IllegalArgumentException("m=" + type + " has no c= address, and the session none either");
        }
        InetSocketAddress rtp = InetSocketAddress.createUnresolved(a, port);
        InetSocketAddress rtcp = mux ? rtp : InetSocketAddress.createUnresolved(rtcpAddress != null ? rtcpAddress : a,
                rtcpPort != null ? rtcpPort : port == 0 ? 0 : port + 1);
        return new Media(type, rtp, rtcp, mux, direction);
    }

    private static String address(ConnectionField c) {
        return c == null ? null : c.getAddress();
    }

    /** The address of a c= line, without a multicast TTL. */
    private static String connectionAddress(String line) {
        String[] f = line.substring(2).trim().split(" +");
        if (f.length < 3) {
            throw new IllegalArgumentException("c= line without an address: " + line);
        }
        String a = f[2];
        int slash = a.indexOf('/');
        return slash < 0 ? a : a.substring(0, slash);
    }

    private static String[] lines(String text) {
        return text.split("\r?\n");
    }

    /** The media streams, in the body's order. */
    public List<Media> media() {
        return media;
    }

    /** The ICE attributes of the {@code index}-th m= line, or null if it has none. */
    public Ice ice(int index) {
        return ice.get(index);
    }

    /**
     * The same body with every stream pointed at the relay: connection addresses become {@code address}, the
     * i-th m= line's port becomes {@code rtpPorts.get(i)} (a refused stream, port 0, stays 0 whatever is given)
     * and its a=rtcp that port + 1. Everything else is kept byte for byte, line endings included.
     */
    public String rewrite(String address, List<Integer> rtpPorts) {
        return rewrite(address, rtpPorts, null, true);
    }

    /**
     * As {@link #rewrite(String, List)}, and also: without {@code keepIce}, every ICE attribute of the body is
     * dropped (the candidates of a phone or of another box mean nothing to the side it goes to); the lines of
     * {@code added.get(i)} (e.g. this relay's own a=ice-ufrag and a=candidate lines) end the i-th m= section.
     */
    public String rewrite(String address, List<Integer> rtpPorts, List<List<String>> added, boolean keepIce) {
        if (rtpPorts.size() != media.size()) {
            throw new IllegalArgumentException(media.size() + " m= lines but " + rtpPorts.size() + " ports");
        }
        String ipVersion = address.contains(":") ? "IP6" : "IP4";
        String eol = text.contains("\r\n") ? "\r\n" : "\n";
        StringBuilder out = new StringBuilder(text.length() + 32);
        int index = -1;
        int port = 0;
        String[] lines = lines(text);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("m=")) {
                index++;
                String[] f = line.substring(2).split(" ", 3);
                port = media.get(index).active() ? rtpPorts.get(index) : 0;
                String count = f[1].contains("/") ? f[1].substring(f[1].indexOf('/')) : "";
                line = "m=" + f[0] + " " + port + count + (f.length > 2 ? " " + f[2] : "");
            } else if (line.startsWith("c=")) {
                line = "c=IN " + ipVersion + " " + address;
            } else if (line.startsWith("a=rtcp:") && index >= 0) {
                line = "a=rtcp:" + (port == 0 ? 0 : port + 1) + (line.trim().split(" +").length >= 4
                        ? " IN " + ipVersion + " " + address : "");
            } else if (!keepIce && isIce(line)) {
                continue;
            }
            if (added != null && index >= 0 && line.startsWith("m=") && index > 0) {
                appendLines(out, added.get(index - 1), eol); // the previous section ends here
            }
            if (i > 0) {
                out.append(eol);
            }
            out.append(line);
        }
        if (added != null && index >= 0) {
            appendLines(out, added.get(index), eol);
        }
        if (text.endsWith("\n")) {
            out.append(eol);
        }
        return out.toString();
    }

    private static void appendLines(StringBuilder out, List<String> lines, String eol) {
        for (String l : lines) {
            out.append(eol).append(l);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
