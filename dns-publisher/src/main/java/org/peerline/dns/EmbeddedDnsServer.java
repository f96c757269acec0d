package org.peerline.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.Type;
import org.xbill.DNS.Zone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authoritative DNS server for one zone, served from memory over UDP and TCP (RFC 1035 §4.2), for small
 * setups where the customer delegates a subdomain to the boxes. {@link #serve} replaces the zone's content at
 * once (a new SOA serial each time); queries see either the old content or the new one, never a mix.
 *
 * <p>Answers are authoritative (AA): the records asked for, with the A/AAAA records of SRV targets as
 * additional data; NXDOMAIN or an empty answer with the SOA in the authority section otherwise (negative
 * caching, RFC 2308); REFUSED for names outside the zone and for zone transfers; NOTIMP for other opcodes;
 * FORMERR for what does not parse. UDP answers are cut to 512 bytes, or the client's EDNS size, with TC set.
 */
public final class EmbeddedDnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDnsServer.class);
    private static final int TCP_IDLE_MILLIS = 10_000;

    private final Name zone;
    private final long ttl;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService workers;
    private volatile Zone content;
    private long serial;

    private EmbeddedDnsServer(Name zone, long ttl, DatagramSocket udp, ServerSocket tcp) {
        this.zone = zone;
        this.ttl = ttl;
        this.udp = udp;
        this.tcp = tcp;
        this.workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "dns-tcp");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Binds UDP and TCP at {@code listen} (port 0: the same free port for both) and serves {@code zone} with
     * nothing in it but its SOA and NS until {@link #serve} is called.
     */
    public static EmbeddedDnsServer start(InetSocketAddress listen, Name zone, long ttl) throws IOException {
        ServerSocket tcp = new ServerSocket();
        DatagramSocket udp;
        try {
            tcp.setReuseAddress(true);
            tcp.bind(listen);
            udp = new DatagramSocket(new InetSocketAddress(listen.getAddress(), tcp.getLocalPort()));
        } catch (IOException e) {
            tcp.close();
            throw new IOException("cannot serve DNS on " + listen + ": " + e.getMessage(), e);
        }
        EmbeddedDnsServer s = new EmbeddedDnsServer(zone, ttl, udp, tcp);
        s.serve(List.of());
        s.thread("dns-udp", s::udpLoop);
        s.thread("dns-tcp-accept", s::tcpLoop);
        LOG.info("dns: serving zone {} on udp and tcp {}", zone, s.address());
        return s;
    }

    private void thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Where it answers (UDP and TCP). */
    public InetSocketAddress address() {
        return (InetSocketAddress) tcp.getLocalSocketAddress();
    }

    /** The zone's SOA serial now. */
    public synchronized long serial() {
        return serial;
    }

    /**
     * Serves {@code records} (names inside the zone) from now on, with an SOA and NS records of its own: the NS
     * are the boxes' host names among the records ({@code <site>.box.<zone>}), or {@code ns.<zone>} if none.
     */
    public synchronized void serve(List<Record> records) throws IOException {
        long next = Math.max(serial + 1, System.currentTimeMillis() / 1000);
        List<Record> all = new ArrayList<>();
        List<Name> hosts = records.stream().filter(r -> r.getType() == Type.A || r.getType() == Type.AAAA)
                .map(Record::getName).distinct().toList();
        Name primary = hosts.isEmpty() ? ZoneRecords.name("ns", zone) : hosts.get(0);
        all.add(new SOARecord(zone, DClass.IN, ttl, primary, ZoneRecords.name("hostmaster", zone), next, 60, 30, 3600, ttl));
        for (Name h : hosts.isEmpty() ? List.of(primary) : hosts) {
            all.add(new NSRecord(zone, DClass.IN, ttl, h));
        }
        all.addAll(records);
        this.content = new Zone(zone, all.toArray(Record[]::new));
        this.serial = next;
    }

    /** The answer to {@code query} from the zone as it is now. */
    Message answer(Message query) {
        Message r = new Message(query.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        Record q = query.getQuestion();
        if (q == null) {
            r.getHeader().setRcode(Rcode.FORMERR);
            return r;
        }
        r.addRecord(q, Section.QUESTION);
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            r.getHeader().setRcode(Rcode.NOTIMP);
            return r;
        }
        if (!q.getName().subdomain(zone) || q.getDClass() != DClass.IN || q.getType() == Type.AXFR
                || q.getType() == Type.IXFR) {
            r.getHeader().setRcode(Rcode.REFUSED);
            return r;
        }
        r.getHeader().setFlag(Flags.AA);
        Zone z = content;
        SetResponse found = z.findRecords(q.getName(), q.getType());
        if (found.isSuccessful()) {
            for (RRset set : found.answers()) {
                for (Record a : set.rrs()) {
                    r.addRecord(a, Section.ANSWER);
                    if (a instanceof SRVRecord srv) {
                        additional(z, r, srv.getTarget());
                    }
                }
            }
            return r;
        }
        if (found.isNXDOMAIN()) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        r.addRecord(z.getSOA(), Section.AUTHORITY);
        return r;
    }

    private static void additional(Zone z, Message r, Name target) {
        for (int type : new int[] {Type.A, Type.AAAA}) {
            RRset set = z.findExactMatch(target, type);
            if (set != null) {
                for (Record a : set.rrs()) {
                    if (!r.findRecord(a, Section.ADDITIONAL)) {
                        r.addRecord(a, Section.ADDITIONAL);
                    }
                }
            }
        }
    }

    private byte[] answer(byte[] query, int maxLength) {
        Message q;
        try {
            q = new Message(query);
        } catch (IOException e) {
            if (query.length < 12) {
                return null; // not even a header to answer to
            }
            Message err = new Message(((query[0] & 0xff) << 8) | (query[1] & 0xff));
            err.getHeader().setFlag(Flags.QR);
            err.getHeader().setRcode(Rcode.FORMERR);
            return err.toWire();
        }
        if (q.getHeader().getFlag(Flags.QR)) {
            return null; // a response: never answer one (no loops)
        }
        OPTRecord opt = q.getOPT();
        int limit = maxLength < 0 ? 65535 : opt != null ? Math.max(512, Math.min(opt.getPayloadSize(), 4096)) : maxLength;
        return answer(q).toWire(limit);
    }

    private void udpLoop() {
        byte[] buf = new byte[4096];
        while (!udp.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
                byte[] out = answer(java.util.Arrays.copyOf(p.getData(), p.getLength()), 512);
                if (out != null) {
                    udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                }
            } catch (SocketException e) {
                return; // closed
            } catch (IOException | RuntimeException e) {
                LOG.debug("dns: udp query from {} not answered: {}", p.getSocketAddress(), e.toString());
            }
        }
    }

    private void tcpLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                workers.execute(() -> tcpConnection(s));
            } catch (IOException e) {
                if (tcp.isClosed()) {
                    return;
                }
                LOG.debug("dns: accept failed: {}", e.toString());
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return;
            }
        }
    }

    private void tcpConnection(Socket s) {
        try (s) {
            s.setSoTimeout(TCP_IDLE_MILLIS);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                int len = in.readUnsignedShort();
                byte[] query = in.readNBytes(len);
                if (query.length < len) {
                    return;
                }
                byte[] answer = answer(query, -1);
                if (answer == null) {
                    return;
                }
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the client closed, went idle, or sent garbage: the connection ends
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
