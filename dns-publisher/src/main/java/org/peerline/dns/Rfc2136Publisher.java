package org.peerline.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Peerline's records in a zone of an authoritative server the customer runs (BIND 9, Knot, PowerDNS),
 * by RFC 2136 dynamic updates signed with TSIG (RFC 8945).
 *
 * <p>Each {@link #publish} reads the zone (AXFR, signed with the same key), compares Peerline's records in it
 * ({@link ZoneRecords#managed}) with the wanted ones, and sends one update with only the difference. The update
 * has the SOA as read for prerequisite (RFC 2136 §2.4.2, "RRset exists, value dependent"): if anyone changed
 * the zone in between, another box among them, the server refuses the whole update (NXRRSET) and the
 * publisher reads the zone again and recomputes. Two writers can thus never interleave their changes into a
 * zone that neither meant; the server applies each update entirely or not at all.
 *
 * <p>The server needs, for the key: {@code allow-update} (or an {@code update-policy}) and {@code allow-transfer}
 * on the zone.
 */
public final class Rfc2136Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Rfc2136Publisher.class);
    /** Reads and updates after a conflict with another writer before giving up this round. */
    static final int CONFLICT_RETRIES = 3;

    private final Name zone;
    private final InetSocketAddress server;
    private final TSIG tsig;
    private final Duration timeout;

    /** What one publish changed. */
    public record Result(int added, int deleted, long serial) {
    }

    public Rfc2136Publisher(Name zone, InetSocketAddress server, TSIG tsig, Duration timeout) {
        this.zone = zone;
        this.server = server;
        this.tsig = tsig;
        this.timeout = timeout;
    }

    /**
     * Makes Peerline's records in the zone exactly {@code wanted} (records outside {@link ZoneRecords#managed}
     * are never touched).
     *
     * @throws DnsPublishException with the reason (key rejected, not authoritative for the zone, updates refused,
     *                             server unreachable, conflicts that did not settle)
     */
    public Result publish(List<Record> wanted) throws DnsPublishException {
        return publish(wanted, null);
    }

    /**
     * As {@link #publish(List)}, judging the {@link Quorum} by {@code seen} (the sites the writer knows are alive,
     * which may be fewer than those it publishes) instead of the sites of {@code wanted}; null: those of wanted.
     */
    public Result publish(List<Record> wanted, java.util.Set<String> seen) throws DnsPublishException {
        DnsPublishException conflict = null;
        for (int attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
            List<Record> current = read();
            String refused = Quorum.refuse(Quorum.sites(zone, current), seen != null ? seen : Quorum.sites(zone, wanted));
            if (refused != null) {
                throw new NoQuorum(refused);
            }
            try {
                return update(current, wanted);
            } catch (Conflict e) {
                conflict = new DnsPublishException("zone " + zone + " changed under this update " + CONFLICT_RETRIES
                        + " times in a row (another writer?)", e);
                LOG.info("dns: zone {} changed since it was read (another writer); reading it again", zone);
            }
        }
        throw conflict;
    }

    /** The zone as the server has it now, by AXFR. */
    List<Record> read() throws DnsPublishException {
        ZoneTransferIn xfr = ZoneTransferIn.newAXFR(zone, server, tsig);
        xfr.setTimeout(timeout);
        try {
            xfr.run();
            return xfr.getAXFR();
        } catch (ZoneTransferException e) {
            throw new DnsPublishException("cannot read zone " + zone + " from " + address() + ": " + e.getMessage()
                    + explain(e.getMessage()), e);
        } catch (IOException e) {
            throw new DnsPublishException("cannot read zone " + zone + " from " + address() + ": " + e.getMessage()
                    + " (is the server running and reachable? dns.server)", e);
        }
    }

    /** This writer does not see enough of the boxes the zone shows to change it ({@link Quorum}). */
    public static final class NoQuorum extends DnsPublishException {
        private static final long serialVersionUID = 1L;

        NoQuorum(String message) {
            super(message);
        }
    }

    /** The other writer changed the zone after it was read. */
    static final class Conflict extends Exception {
        private static final long serialVersionUID = 1L;

        Conflict(String message) {
            super(message);
        }
    }

    /** Sends the update that turns Peerline's records in {@code current} into {@code wanted}. */
    Result update(List<Record> current, List<Record> wanted) throws DnsPublishException, Conflict {
        SOARecord soa = (SOARecord) current.stream().filter(r -> r.getType() == Type.SOA).findFirst()
                .orElseThrow(() -> new DnsPublishException("zone " + zone + " as read from " + address() + " has no SOA"));
        Map<String, Record> have = new LinkedHashMap<>();
        for (Record r : current) {
            if (ZoneRecords.managed(zone, r)) {
                have.put(key(r), r);
            }
        }
        Map<String, Record> want = new LinkedHashMap<>();
        for (Record r : wanted) {
            want.put(key(r), r);
        }
        List<Record> delete = new ArrayList<>();
        for (Map.Entry<String, Record> e : have.entrySet()) {
            if (!want.containsKey(e.getKey())) {
                delete.add(e.getValue());
            }
        }
        List<Record> add = new ArrayList<>();
        for (Map.Entry<String, Record> e : want.entrySet()) {
            if (!have.containsKey(e.getKey())) {
                add.add(e.getValue());
            }
        }
        if (delete.isEmpty() && add.isEmpty()) {
            return new Result(0, 0, soa.getSerial());
        }
        Update u = new Update(zone);
        // the zone is still as read: else NXRRSET, and nothing of this update is applied (a prerequisite has TTL 0)
        u.present(new SOARecord(soa.getName(), DClass.IN, 0, soa.getHost(), soa.getAdmin(), soa.getSerial(),
                soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum()));
        for (Record r : delete) {
            u.delete(r);
        }
        for (Record r : add) {
            u.add(r);
        }
        Message response = send(u);
        int rcode = response.getHeader().getRcode();
        if (rcode == Rcode.NXRRSET) {
            throw new Conflict("SOA serial " + soa.getSerial() + " is not the zone's any more");
        }
        if (rcode != Rcode.NOERROR) {
            throw new DnsPublishException("the server at " + address() + " refused the update of zone " + zone + ": "
                    + Rcode.string(rcode) + tsigError(response) + explain(Rcode.string(rcode)));
        }
        LOG.info("dns: zone {} updated on {}: {} records added, {} deleted", zone, address(), add.size(), delete.size());
        return new Result(add.size(), delete.size(), soa.getSerial());
    }

    private Message send(Update u) throws DnsPublishException {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTCP(true);
        resolver.setTSIGKey(tsig);
        resolver.setTimeout(timeout);
        try {
            return resolver.send(u);
        } catch (IOException e) {
            throw new DnsPublishException("cannot send the update of zone " + zone + " to " + address() + ": "
                    + e.getMessage() + " (is the server running and reachable? dns.server)", e);
        }
    }

    /** Records are the same if their text (name, TTL, class, type, data) is. */
    private static String key(Record r) {
        return r.toString();
    }

    private String address() {
        return server.getHostString() + ":" + server.getPort();
    }

    private static String tsigError(Message response) {
        TSIGRecord t = response.getTSIG();
        return t == null || t.getError() == Rcode.NOERROR ? "" : " (TSIG " + Rcode.TSIGstring(t.getError()) + ")";
    }

    /** What an error from the server most likely means for the configuration. */
    private String explain(String error) {
        String e = error == null ? "" : error.toUpperCase(java.util.Locale.ROOT);
        if (e.contains("NOTAUTH") || e.contains("BADSIG") || e.contains("BADKEY") || e.contains("BADTIME")
                || e.contains("TSIG")) {
            return "; the server does not accept the TSIG key or is not authoritative for " + zone
                    + ": check dns.tsig (name, algorithm, secret) against the server's key, dns.zone, and the clocks";
        }
        if (e.contains("REFUSED")) {
            return "; the server refuses this key for zone " + zone + ": it needs allow-update (or an update-policy)"
                    + " and allow-transfer for the key";
        }
        if (e.contains("NOTZONE")) {
            return "; the records are not inside zone " + zone + ": check dns.zone";
        }
        return "";
    }
}
