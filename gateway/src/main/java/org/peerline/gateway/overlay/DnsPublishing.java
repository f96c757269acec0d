package org.peerline.gateway.overlay;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.peerline.dns.DnsPublishException;
import org.peerline.dns.EmbeddedDnsServer;
import org.peerline.dns.PublishedBox;
import org.peerline.dns.Rfc2136Publisher;
import org.peerline.dns.ZoneRecords;
import org.peerline.gateway.Daemons;
import org.peerline.overlay.api.Overlay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * Keeps a DNS zone pointing at the boxes that are alive.
 *
 * <p><b>Who is alive.</b> Each box keeps its entry (site, addresses, domains, ports) in the zone's dictionary in
 * the overlay ({@link Overlay#announceDns}) with a lifetime of {@value #ENTRY_LIFETIME_SECONDS} s, which the
 * overlay refreshes about every half of it: a box that dies drops out of the dictionary within that lifetime.
 *
 * The writer also sends each box an overlay Probe every round, and takes a box that missed two in a row for
 * gone before its entry expires.
 *
 * <p><b>Who writes.</b> With an RFC 2136 server, exactly one box writes: the peer responsible for the zone's
 * dictionary, which holds it. Every {@value #ROUND_MILLIS} ms it reads the live entries and, when they changed
 * (or every {@value #RECHECK_SECONDS} s anyway, in case someone edited the zone), sends the difference. If it
 * dies, the next peer on the ring, which holds the dictionary's replica, becomes responsible and writes at its
 * next round: a full, consistent zone, since each update is computed against the zone as read. A writer that
 * does not see a majority of the boxes the zone shows stands down ({@link org.peerline.dns.Quorum}): a split
 * overlay does not make DNS flap. Errors are retried with backoff (2 s doubling to 60 s).
 *
 * <p><b>Embedded.</b> With the embedded server, every box serves the zone from its own copy of the live
 * entries, refreshed each round: the boxes are the zone's name servers.
 *
 * <p>Without an overlay, the zone shows this box alone.
 */
public final class DnsPublishing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsPublishing.class);
    static final long ENTRY_LIFETIME_SECONDS = 9;
    static final long ROUND_MILLIS = 2000;
    static final long RECHECK_SECONDS = 30;
    static final long PROBE_MILLIS = 1500;
    static final int MISSED_PROBES = 2;
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    private final Name zone;
    private final String zoneText;
    private final long ttl;
    private final Overlay overlay;
    private final Overlay.DnsEntry self;
    private final EmbeddedDnsServer server;
    private final Rfc2136Publisher publisher;
    private final String target;
    private final ScheduledExecutorService timer;

    private List<Record> lastPublished;
    private long lastCheckMillis;
    private long retryAtMillis;
    private int consecutiveFailures;
    private boolean writer;
    private String lastProblem;
    private volatile Map<String, Object> status = Map.of("state", "starting");
    private final java.util.concurrent.atomic.LongAdder updates = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    private volatile int liveBoxes;

    /** For metrics: {zone updates sent (or zones served), failed attempts, boxes live in the last round}. */
    public long[] counts() {
        return new long[] {updates.sum(), failures.sum(), liveBoxes};
    }

    /**
     * @param server    the embedded server (embedded mode), or null
     * @param publisher the RFC 2136 writer (rfc2136 mode), or null
     * @param target    where the zone goes, for logs and the admin API
     * @param overlay   the overlay, or null for a box that runs alone
     */
    public DnsPublishing(String zone, long ttlSeconds, Overlay overlay, Overlay.DnsEntry self, EmbeddedDnsServer server,
                         Rfc2136Publisher publisher, String target) {
        this.zoneText = zone;
        this.zone = ZoneRecords.absolute(zone);
        this.ttl = ttlSeconds;
        this.overlay = overlay;
        this.self = self;
        this.server = server;
        this.publisher = publisher;
        this.target = target;
        this.timer = Daemons.timer("dns-publisher");
    }

    /** A site name as one DNS label: lower case, '.' and '_' made '-'. */
    public static String label(String site) {
        return site.toLowerCase(Locale.ROOT).replaceAll("[._]", "-");
    }

    /** Announces this box (once it is in the overlay) and starts the rounds. */
    public void start() {
        if (overlay != null) {
            overlay.announceDns(zoneText, self, Duration.ofSeconds(ENTRY_LIFETIME_SECONDS)).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("dns: this box's entry for zone {} was not stored: {}", zoneText, e.toString());
                }
            });
        }
        timer.scheduleWithFixedDelay(this::round, 0, ROUND_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void round() {
        try {
            List<Overlay.DnsEntry> entries = new ArrayList<>(overlay == null ? List.of()
                    : overlay.dnsEntries(zoneText).get(5, TimeUnit.SECONDS));
            if (entries.stream().noneMatch(e -> e.box().equals(self.box()))) {
                entries.add(self); // alive, whether or not its entry is stored yet
            }
            if (server != null) {
                serve(entries);
                return;
            }
            boolean writes = overlay == null || overlay.writesDns(zoneText).get(5, TimeUnit.SECONDS);
            if (writes != writer) {
                writer = writes;
                lastPublished = null; // a new writer checks the whole zone at once
                LOG.info(writes ? "dns: this box now writes zone {} to {} (it is responsible for the zone's entries)"
                        : "dns: this box no longer writes zone {} to {} (another box is responsible)", zoneText, target);
            }
            if (!writes) {
                status("standing by: another box writes the zone", sites(boxes(entries)), null);
                return;
            }
            java.util.Set<String> confirmed = new java.util.TreeSet<>();
            if (overlay != null) {
                entries = answering(entries, confirmed);
            } else {
                confirmed = null; // alone: the quorum is judged by what is published
            }
            List<PublishedBox> boxes = boxes(entries);
            List<Record> records = ZoneRecords.of(zone, ttl, boxes);
            long now = System.currentTimeMillis();
            if (now < retryAtMillis || records.equals(lastPublished) && now - lastCheckMillis < RECHECK_SECONDS * 1000) {
                return;
            }
            publish(records, sites(boxes), confirmed, now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String why = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause().toString() : e.toString();
            problem("dns: zone " + zoneText + ": the overlay did not answer this round (" + why + "); next round in "
                    + ROUND_MILLIS / 1000 + " s", List.of());
        }
    }

    /** Embedded: this box's server shows every live entry. */
    private void serve(List<Overlay.DnsEntry> entries) throws java.io.IOException {
        List<PublishedBox> boxes = boxes(entries);
        List<Record> records = ZoneRecords.of(zone, ttl, boxes);
        List<String> sites = sites(boxes);
        if (!records.equals(lastPublished)) {
            server.serve(records);
            updates.increment();
            lastPublished = records;
            LOG.info("dns: zone {} served with {} boxes: {}", zoneText, sites.size(), sites);
        }
        status("serving", sites, null);
    }

    private List<PublishedBox> boxes(List<Overlay.DnsEntry> entries) {
        List<PublishedBox> boxes = new ArrayList<>();
        for (Overlay.DnsEntry e : entries) {
            PublishedBox b = box(e);
            if (b != null) {
                boxes.add(b);
            }
        }
        return boxes;
    }

    /** The boxes' sites, sorted; their number is kept for the metrics. */
    private List<String> sites(List<PublishedBox> boxes) {
        List<String> sites = boxes.stream().map(PublishedBox::site).sorted().toList();
        liveBoxes = sites.size();
        return sites;
    }

    /** Consecutive Probes each box did not answer. */
    private final Map<org.peerline.overlay.api.NodeId, Integer> unanswered = new java.util.HashMap<>();

    /**
     * The entries of the boxes that answer an overlay Probe (this box's own always): a box that missed
     * {@value #MISSED_PROBES} Probes in a row counts as gone before its entry expires. Entries alone would
     * mislead a writer cut off from some boxes: their entries expire one by one, and each step would look like a
     * single box dying to {@link org.peerline.dns.Quorum}. Probes fail for all of them at once. A box that missed
     * one Probe stays published, but only the boxes that answered ({@code confirmed}, filled here) count for the
     * quorum: the benefit of the doubt must not let a writer that just took over, cut off from the others, outvote
     * them.
     */
    private List<Overlay.DnsEntry> answering(List<Overlay.DnsEntry> entries, java.util.Set<String> confirmed)
            throws InterruptedException {
        Map<Overlay.DnsEntry, java.util.concurrent.CompletableFuture<Boolean>> asked = new LinkedHashMap<>();
        for (Overlay.DnsEntry e : entries) {
            asked.put(e, e.box().equals(self.box()) ? java.util.concurrent.CompletableFuture.completedFuture(true)
                    : overlay.probe(e.box()).orTimeout(PROBE_MILLIS, TimeUnit.MILLISECONDS).handle((r, x) -> x == null));
        }
        List<Overlay.DnsEntry> out = new ArrayList<>();
        for (Map.Entry<Overlay.DnsEntry, java.util.concurrent.CompletableFuture<Boolean>> a : asked.entrySet()) {
            boolean answered;
            try {
                answered = a.getValue().get(PROBE_MILLIS + 1000, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException x) {
                answered = false;
            }
            if (answered) {
                confirmed.add(label(a.getKey().site()));
            }
            int missed = answered ? 0 : unanswered.getOrDefault(a.getKey().box(), 0) + 1;
            unanswered.put(a.getKey().box(), missed);
            if (missed < MISSED_PROBES) {
                out.add(a.getKey());
            } else if (missed == MISSED_PROBES) {
                LOG.info("dns: box {} (site {}) answers no Probe: taken for gone", a.getKey().box(), a.getKey().site());
            }
        }
        unanswered.keySet().retainAll(entries.stream().map(Overlay.DnsEntry::box).toList());
        return out;
    }

    private void publish(List<Record> records, List<String> sites, java.util.Set<String> confirmed, long now) {
        try {
            Rfc2136Publisher.Result r = publisher.publish(records, confirmed);
            if (r.added() + r.deleted() > 0) {
                updates.increment();
            }
            lastPublished = records;
            lastCheckMillis = now;
            consecutiveFailures = 0;
            if (lastProblem != null) {
                LOG.info("dns: zone {} is written to {} again", zoneText, target);
                lastProblem = null;
            }
            status("writing", sites, r.added() + r.deleted() == 0 ? null
                    : "last update " + Instant.ofEpochMilli(now) + ": " + r.added() + " records added, " + r.deleted() + " deleted");
        } catch (Rfc2136Publisher.NoQuorum e) {
            problem("dns: zone " + zoneText + " left as it is: " + e.getMessage(), sites);
        } catch (DnsPublishException e) {
            failures.increment();
            consecutiveFailures++;
            long backoff = Math.min(MAX_BACKOFF_MILLIS, ROUND_MILLIS << Math.min(consecutiveFailures, 10));
            retryAtMillis = now + backoff;
            problem("dns: zone " + zoneText + " not written (retry in " + backoff / 1000 + " s): " + e.getMessage(), sites);
        }
    }

    private void problem(String message, List<String> sites) {
        if (!message.replaceAll("retry in \\d+ s", "").equals(lastProblem == null ? null
                : lastProblem.replaceAll("retry in \\d+ s", ""))) {
            LOG.warn(message); // once per distinct problem, not every round
        }
        lastProblem = message;
        status("not written", sites, message);
    }

    private void status(String state, List<String> sites, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zone", zoneText);
        m.put("mode", server != null ? "embedded" : "rfc2136");
        m.put("target", target);
        m.put("state", state);
        m.put("liveBoxes", sites);
        if (detail != null) {
            m.put("detail", detail);
        } else if (status.get("detail") != null && state.equals(status.get("state"))) {
            m.put("detail", status.get("detail"));
        }
        status = m;
    }

    /** Where publishing stands, for the admin API. */
    public Map<String, Object> status() {
        return status;
    }

    private static PublishedBox box(Overlay.DnsEntry e) {
        List<InetAddress> addresses = new ArrayList<>();
        for (String a : e.addresses()) {
            try {
                addresses.add(InetAddress.getByName(a)); // literals only: no lookup
            } catch (UnknownHostException ex) {
                return null;
            }
        }
        try {
            return new PublishedBox(label(e.site()), addresses, e.domains(), e.sipUdpPort(), e.sipTcpPort(), e.sipsPort(),
                    e.overlayPort(), e.priority(), e.weight());
        } catch (IllegalArgumentException ex) {
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (overlay != null) {
            try {
                overlay.withdrawDns(zoneText).get(2, TimeUnit.SECONDS); // leaves DNS now, not when the entry expires
            } catch (Exception e) {
                LOG.debug("dns: entry for zone {} not deleted: {}", zoneText, e.toString());
            }
        }
        if (server != null) {
            server.close();
        }
    }
}
