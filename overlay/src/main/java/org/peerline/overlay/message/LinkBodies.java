package org.peerline.overlay.message;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.peerline.overlay.api.PeerAddress;

/**
 * Bodies that set up links and look at peers: Attach (RFC 6940 §6.5.1) and Probe (§6.4.2.5).
 *
 * <p>Peerline boxes have addresses their peers can reach (a public address, or a forwarded port), so links
 * run in the no-ICE mode: an Attach carries host candidates of type TLS-TCP-FH-NO-ICE, and the requester
 * opens a TLS connection straight to the first one. NAT traversal for links is not needed between boxes;
 * media NAT traversal is the relay's business.
 */
public final class LinkBodies {
    private LinkBodies() {
    }

    /** {@code OverlayLinkType} TLS-TCP-FH-NO-ICE: TLS over TCP with RELOAD framing, no ICE checks. */
    public static final int LINK_TLS_TCP_FH_NO_ICE = 4;
    /** {@code CandType} host. */
    public static final int CAND_HOST = 1;

    /** {@code IceCandidate} of type host (no related address, no extensions beyond those given). */
    public record Candidate(PeerAddress address, int overlayLink, byte[] foundation, long priority) {
        public Candidate {
            foundation = foundation.clone();
        }

        /** A host candidate for a TLS/TCP link at {@code address}. */
        public static Candidate host(PeerAddress address) {
            return new Candidate(address, LINK_TLS_TCP_FH_NO_ICE, new byte[] {'1'}, 2130706431L);
        }

        @Override
        public byte[] foundation() {
            return foundation.clone();
        }

        void write(WireWriter w) {
            writeAddress(w, address);
            w.u8(overlayLink).opaque(1, foundation).u32(priority).u8(CAND_HOST).opaque(2, new byte[0]);
        }

        /** The bytes of a {@code candidates<0..2^16-1>} list (without its length). */
        static byte[] list(List<Candidate> candidates) {
            WireWriter c = new WireWriter();
            candidates.forEach(cand -> cand.write(c));
            return c.toByteArray();
        }

        /** Reads a {@code candidates<0..2^16-1>} list. */
        static List<Candidate> readList(WireReader r) throws DecodeException {
            WireReader cr = new WireReader(r.opaque(2, "candidates"));
            List<Candidate> cands = new ArrayList<>();
            while (cr.remaining() > 0) {
                cands.add(read(cr));
            }
            return cands;
        }

        static Candidate read(WireReader r) throws DecodeException {
            PeerAddress a = readAddress(r);
            int link = r.u8("overlay_link");
            byte[] foundation = r.opaque(1, "foundation");
            long priority = r.u32("priority");
            int type = r.u8("cand_type");
            if (type == 2 || type == 3 || type == 4) {
                readAddress(r); // rel_addr_port of srflx/prflx/relay candidates: not used without ICE
            } else if (type != CAND_HOST) {
                throw new DecodeException("unknown candidate type " + type);
            }
            r.opaque(2, "extensions");
            return new Candidate(a, link, foundation, priority);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Candidate c && c.address.equals(address) && c.overlayLink == overlayLink
                    && java.util.Arrays.equals(c.foundation, foundation) && c.priority == priority;
        }

        @Override
        public int hashCode() {
            return address.hashCode() * 31 + overlayLink;
        }
    }

    /**
     * {@code AttachReqAns}, the body of both AttachReq and AttachAns: ICE credentials (unused without ICE but
     * always sent), the role ("passive" in requests, "active" in answers), candidates, and whether the
     * receiver should send an Update once the link is up.
     */
    public record Attach(byte[] ufrag, byte[] password, String role, List<Candidate> candidates, boolean sendUpdate) {
        public Attach {
            ufrag = ufrag.clone();
            password = password.clone();
            candidates = List.copyOf(candidates);
        }

        @Override
        public byte[] ufrag() {
            return ufrag.clone();
        }

        @Override
        public byte[] password() {
            return password.clone();
        }

        public byte[] encode() {
            return new WireWriter().opaque(1, ufrag).opaque(1, password)
                    .opaque(1, role.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .opaque(2, Candidate.list(candidates)).u8(sendUpdate ? 1 : 0).toByteArray();
        }

        public static Attach decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            byte[] ufrag = r.opaque(1, "ufrag");
            byte[] password = r.opaque(1, "password");
            String role = new String(r.opaque(1, "role"), java.nio.charset.StandardCharsets.US_ASCII);
            List<Candidate> cands = Candidate.readList(r);
            boolean send = ChordBodies.bool(r, "send_update");
            r.expectEnd("AttachReqAns");
            return new Attach(ufrag, password, role, cands, send);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Attach a && java.util.Arrays.equals(a.ufrag, ufrag)
                    && java.util.Arrays.equals(a.password, password) && a.role.equals(role)
                    && a.candidates.equals(candidates) && a.sendUpdate == sendUpdate;
        }

        @Override
        public int hashCode() {
            return candidates.hashCode() * 31 + role.hashCode();
        }
    }

    /**
     * {@code AppAttachReq} and {@code AppAttachAns} (RFC 6940 §6.5.2): ICE credentials, the application the
     * connection is for (its IANA port: 5061 for SIP over TLS), the role, and candidates. Without ICE checks
     * Peerline reads the answer's role as TCP's: "active" says the answerer opened the connection to one of the
     * request's candidates itself (it can reach the requester, which perhaps cannot reach it); "passive" says
     * it could not, and the requester connects to the answer's candidates.
     */
    public record AppAttach(byte[] ufrag, byte[] password, int application, String role, List<Candidate> candidates) {
        public AppAttach {
            ufrag = ufrag.clone();
            password = password.clone();
            candidates = List.copyOf(candidates);
        }

        @Override
        public byte[] ufrag() {
            return ufrag.clone();
        }

        @Override
        public byte[] password() {
            return password.clone();
        }

        public byte[] encode() {
            return new WireWriter().opaque(1, ufrag).opaque(1, password).u16(application)
                    .opaque(1, role.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .opaque(2, Candidate.list(candidates)).toByteArray();
        }

        public static AppAttach decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            byte[] ufrag = r.opaque(1, "ufrag");
            byte[] password = r.opaque(1, "password");
            int application = r.u16("application");
            String role = new String(r.opaque(1, "role"), java.nio.charset.StandardCharsets.US_ASCII);
            List<Candidate> cands = Candidate.readList(r);
            r.expectEnd("AppAttachReq/Ans");
            return new AppAttach(ufrag, password, application, role, cands);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof AppAttach a && java.util.Arrays.equals(a.ufrag, ufrag)
                    && java.util.Arrays.equals(a.password, password) && a.application == application
                    && a.role.equals(role) && a.candidates.equals(candidates);
        }

        @Override
        public int hashCode() {
            return candidates.hashCode() * 31 + application;
        }
    }

    /** {@code ProbeInformationType} (§6.4.2.5). */
    public enum ProbeInfo {
        RESPONSIBLE_SET(1), NUM_RESOURCES(2), UPTIME(3);

        public final int code;

        ProbeInfo(int code) {
            this.code = code;
        }

        static ProbeInfo of(int code) throws DecodeException {
            for (ProbeInfo p : values()) {
                if (p.code == code) {
                    return p;
                }
            }
            throw new DecodeException("unknown ProbeInformationType " + code);
        }
    }

    /** ProbeReq: which facts the requester wants. */
    public record ProbeReq(List<ProbeInfo> requested) {
        public ProbeReq {
            requested = List.copyOf(requested);
        }

        public byte[] encode() {
            WireWriter t = new WireWriter();
            requested.forEach(p -> t.u8(p.code));
            return new WireWriter().opaque(1, t.toByteArray()).toByteArray();
        }

        public static ProbeReq decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            byte[] types = r.opaque(1, "requested_info");
            r.expectEnd("ProbeReq");
            List<ProbeInfo> out = new ArrayList<>();
            for (byte t : types) {
                out.add(ProbeInfo.of(t & 0xff));
            }
            return new ProbeReq(out);
        }
    }

    /**
     * ProbeAns: each requested fact as a uint32 (responsible_ppb: the share of the ring this peer is
     * responsible for, in parts per billion; num_resources; uptime in seconds), in the order given.
     */
    public record ProbeAns(Map<ProbeInfo, Long> info) {
        public ProbeAns {
            info = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(info));
        }

        public byte[] encode() {
            WireWriter i = new WireWriter();
            info.forEach((k, v) -> i.u8(k.code).u8(4).u32(v));
            return new WireWriter().opaque(2, i.toByteArray()).toByteArray();
        }

        public static ProbeAns decode(byte[] b) throws DecodeException {
            WireReader r = new WireReader(b);
            WireReader ir = new WireReader(r.opaque(2, "probe_info"));
            r.expectEnd("ProbeAns");
            Map<ProbeInfo, Long> out = new LinkedHashMap<>();
            while (ir.remaining() > 0) {
                ProbeInfo type = ProbeInfo.of(ir.u8("ProbeInformationType"));
                int len = ir.u8("ProbeInformation length");
                if (len != 4) {
                    throw new DecodeException(type + " of " + len + " bytes, expected 4");
                }
                out.put(type, ir.u32(type.name()));
            }
            return new ProbeAns(out);
        }
    }

    static void writeAddress(WireWriter w, PeerAddress a) {
        byte[] ip = literal(a.host());
        w.u8(ip.length == 4 ? 1 : 2).u8(ip.length + 2).bytes(ip).u16(a.port());
    }

    static PeerAddress readAddress(WireReader r) throws DecodeException {
        int type = r.u8("AddressType");
        int len = r.u8("IpAddressPort length");
        int expected = type == 1 ? 6 : type == 2 ? 18 : -1;
        if (expected < 0 || len != expected) {
            throw new DecodeException("IpAddressPort of type " + type + " and length " + len);
        }
        byte[] ip = r.bytes(len - 2, "address");
        int port = r.u16("port");
        try {
            String host = InetAddress.getByAddress(ip).getHostAddress();
            return new PeerAddress(host, port);
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new DecodeException("bad address: " + e.getMessage());
        }
    }

    private static byte[] literal(String host) {
        // only IP literals are ever put in candidates; InetAddress parses them without a DNS lookup
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("not an IP literal: " + host);
        }
        try {
            return InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + host, e);
        }
    }
}
