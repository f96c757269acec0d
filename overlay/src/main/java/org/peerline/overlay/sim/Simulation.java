package org.peerline.overlay.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.chord.ChordTopology;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.Node;

/**
 * The overlay workload "sipgw-dht-v1" (../shared/bench/dht-workload.md) run by the real node code over a
 * {@link SimNetwork} in virtual time: N nodes join through node 0, settle, K records are stored by their
 * publishers, then lookups arrive at a fixed rate while nodes crash and are replaced (Poisson churn, no
 * Leave). Deterministic for a seed: a failing run is replayed by running it again with the same seed.
 */
public final class Simulation {
    /** The experimental kind the workload's records use: one value per resource. */
    public static final long BENCH_KIND = 0xf0000001L;
    static final int VALUE_BYTES = 200;
    static final String OVERLAY = "sipgw-dht-v1";
    static final int REPLICAS = Integer.getInteger("sim.replicas", 2);

    /**
     * @param nodes          N, nodes kept alive
     * @param minutes        length of the lookup phase with churn, virtual minutes
     * @param churnPerMinute fraction of the nodes replaced per minute (0.1 = 10%/min)
     * @param seed           seed of every random choice
     * @param records        K, records stored before the lookups
     * @param lookupsPerSecond Poisson rate of lookups, over all nodes
     * @param lossRate       probability that a segment is lost (and delayed by a TCP retransmission)
     */
    public record Params(int nodes, double minutes, double churnPerMinute, long seed, int records,
                         double lookupsPerSecond, double lossRate) {
        public Params {
            if (nodes < 2) {
                throw new IllegalArgumentException("at least 2 nodes");
            }
        }
    }

    /** What a run measured; {@link #toJson()} is the line {@code peerline overlay sim} prints. */
    public record Result(Params params, long joinMillis, int joined, long stores, long storesOk, double storeP50,
                         double storeP99, double bytesPerStore, long lookups, long lookupsOk,
                         long lookupsOkPublisherAlive, long lookupsPublisherAlive, double hopsP50, double hopsP99,
                         double latencyP50, double latencyP90, double latencyP99, double idleBytesPerNodePerSecond,
                         double storedIdleBytesPerNodePerSecond, double bytesPerLookup, long crashes,
                         double wallSeconds) {
        public double lookupSuccess() {
            return lookups == 0 ? 0 : (double) lookupsOk / lookups;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"nodes\":%d,\"seed\":%d,\"minutes\":%s,\"churn_per_minute\":%s,"
                            + "\"joined\":%d,\"join_s\":%.1f,\"records\":%d,\"stores\":%d,\"store_success\":%.5f,"
                            + "\"store_p50_ms\":%.1f,\"store_p99_ms\":%.1f,\"bytes_per_store\":%.0f,"
                            + "\"lookups\":%d,\"lookup_success\":%.5f,\"lookup_success_publisher_alive\":%.5f,"
                            + "\"hops_p50\":%.1f,\"hops_p99\":%.1f,\"latency_p50_ms\":%.1f,\"latency_p90_ms\":%.1f,"
                            + "\"latency_p99_ms\":%.1f,\"bytes_per_lookup\":%.0f,\"crashes\":%d,"
                            + "\"maintenance_bytes_per_node_per_s\":%.1f,"
                            + "\"maintenance_bytes_per_node_per_s_records_stored\":%.1f,\"wall_s\":%.1f}",
                    params.nodes(), params.seed(), fmt(params.minutes()), fmt(params.churnPerMinute()), joined,
                    joinMillis / 1000.0, params.records(), stores, stores == 0 ? 0 : (double) storesOk / stores,
                    storeP50, storeP99, bytesPerStore, lookups, lookupSuccess(),
                    lookupsPublisherAlive == 0 ? 0 : (double) lookupsOkPublisherAlive / lookupsPublisherAlive,
                    hopsP50, hopsP99, latencyP50, latencyP90, latencyP99, bytesPerLookup, crashes,
                    idleBytesPerNodePerSecond, storedIdleBytesPerNodePerSecond, wallSeconds);
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }

    private final Params p;
    private final Random rng;
    private final SimNetwork net;
    private final Map<NodeId, NodeId> identities = new HashMap<>();
    private final List<Member> members = new ArrayList<>();
    private final List<Member> initial = new ArrayList<>();
    /** Why lookups failed, with counts: for the report of a run that misses its target. */
    private final Map<String, Integer> failures = new java.util.TreeMap<>();
    /** Lookups without an answer yet, and who asked. */
    private final Map<Object, Pending> unanswered = new java.util.IdentityHashMap<>();

    private record Pending(Member requester, boolean publisherAlive) {
    }
    private int nextAddress;

    private static final class Member {
        final Node node;
        final SimNetwork.Host host;
        final long startedAt;
        boolean joined;

        Member(Node node, SimNetwork.Host host, long startedAt) {
            this.node = node;
            this.host = host;
            this.startedAt = startedAt;
        }
    }

    public Simulation(Params params) {
        this.p = params;
        this.rng = new Random(params.seed());
        this.net = new SimNetwork(new Random(params.seed() * 31 + 7));
        net.lossRate(params.lossRate());
    }

    /**
     * Runs the workload from the command line: {@code NODES MINUTES CHURN_PER_MINUTE SEED [RECORDS]}; prints
     * the JSON line ({@code peerline overlay sim} is the same with named options).
     */
    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: Simulation NODES MINUTES CHURN_PER_MINUTE SEED [RECORDS]");
            System.exit(2);
        }
        Params p = new Params(Integer.parseInt(args[0]), Double.parseDouble(args[1]), Double.parseDouble(args[2]),
                Long.parseLong(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 10_000, 20, 0);
        Simulation sim = new Simulation(p);
        System.out.println(sim.run().toJson());
        if (!sim.failures().isEmpty()) {
            System.err.println("failed lookups: " + sim.failures());
        }
    }

    /** Runs the whole workload and returns its figures. */
    public Result run() {
        long wall0 = System.nanoTime();
        // join: node 0 first, then the others at 50 per second, each through node 0 only
        Member zero = start(List.of());
        for (int i = 1; i < p.nodes(); i++) {
            long at = i * 20L;
            net.at(at, () -> start(List.of(zero.host.localAddress())));
        }
        long joinDeadline = p.nodes() * 20L + 120_000;
        net.runUntil(joinDeadline, () -> members.size() == p.nodes() && members.stream().allMatch(m -> m.joined));
        long joinMillis = net.now();
        int joined = (int) members.stream().filter(m -> m.joined).count();
        net.runUntil(net.now() + 60_000); // settle

        double idle = idleBytes(60_000);

        // store every record from its publisher, at most 64 outstanding
        List<Double> storeLatency = new ArrayList<>();
        long[] storesOk = {0};
        long[] storesDone = {0};
        long bytes0 = net.bytesOnWire();
        int[] next = {0};
        int[] inFlight = {0};
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (inFlight[0] < 64 && next[0] < p.records()) {
                int i = next[0]++;
                Member publisher = initial.get(i % p.nodes());
                if (!publisher.host.alive()) {
                    storesDone[0]++;
                    continue;
                }
                inFlight[0]++;
                long t0 = net.now();
                publisher.node.store(resource(i), BENCH_KIND, List.of(StorageBodies.Value.single(value(i))), 3600)
                        .whenComplete((ans, err) -> {
                            inFlight[0]--;
                            storesDone[0]++;
                            if (err == null) {
                                storesOk[0]++;
                                storeLatency.add((double) (net.now() - t0));
                            }
                            pump[0].run();
                        });
            }
        };
        pump[0].run();
        net.runUntil(net.now() + 600_000, () -> storesDone[0] == p.records());
        double bytesPerStore = (double) (net.bytesOnWire() - bytes0) / Math.max(1, p.records());
        net.runUntil(net.now() + 10_000);
        double storedIdle = idleBytes(60_000);

        // lookups with churn
        List<Double> hops = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        long[] lookups = {0};
        long[] ok = {0};
        long[] okAlive = {0};
        long[] alive = {0};
        long[] crashes = {0};
        long end = net.now() + Math.round(p.minutes() * 60_000);
        long lookupBytes0 = net.bytesOnWire();
        scheduleLookups(end, lookups, ok, okAlive, alive, hops, latency);
        if (p.churnPerMinute() > 0) {
            scheduleChurn(end, crashes);
        }
        net.runUntil(end + 11_000);
        // a lookup whose requester crashed before the answer came is nobody's failure: it leaves the count
        for (Pending pending : unanswered.values()) {
            if (pending.requester().host.alive()) {
                failures.merge("no answer", 1, Integer::sum);
            } else {
                lookups[0]--;
                if (pending.publisherAlive()) {
                    alive[0]--;
                }
            }
        }
        long lookupPhaseMillis = end + 11_000 - (end - Math.round(p.minutes() * 60_000));
        double background = (idle * p.nodes()) * lookupPhaseMillis / 1000.0;
        double bytesPerLookup = Math.max(0, (net.bytesOnWire() - lookupBytes0 - background)) / Math.max(1, lookups[0]);

        return new Result(p, joinMillis, joined, p.records(), storesOk[0], pct(storeLatency, 50), pct(storeLatency, 99),
                bytesPerStore, lookups[0], ok[0], okAlive[0], alive[0], pct(hops, 50), pct(hops, 99), pct(latency, 50),
                pct(latency, 90), pct(latency, 99), idle, storedIdle, bytesPerLookup, crashes[0],
                (System.nanoTime() - wall0) / 1e9);
    }

    /** Why lookups failed, with counts. */
    public Map<String, Integer> failures() {
        return failures;
    }

    /** The live joined node whose id is the first at or after the resource's (the true responsible peer). */
    private NodeId responsibleFor(byte[] resource) {
        NodeId key = NodeId.of(resource, 0);
        NodeId best = null;
        for (Member m : members) {
            if (m.host.alive() && m.joined) {
                NodeId d = org.peerline.overlay.topology.Ring.distance(key, m.node.id());
                if (best == null || d.compareTo(org.peerline.overlay.topology.Ring.distance(key, best)) < 0) {
                    best = m.node.id();
                }
            }
        }
        return best;
    }

    /** How many live nodes have the right first successor and first predecessor, of how many. */
    public String consistency() {
        List<NodeId> ids = members.stream().filter(m -> m.host.alive() && m.joined).map(m -> m.node.id()).sorted().toList();
        int good = 0;
        StringBuilder bad = new StringBuilder();
        for (Member m : members) {
            if (!m.host.alive() || !m.joined) {
                continue;
            }
            int i = ids.indexOf(m.node.id());
            NodeId s = ids.get((i + 1) % ids.size());
            NodeId pr = ids.get((i - 1 + ids.size()) % ids.size());
            var t = m.node.topology();
            boolean ok = !t.successors().isEmpty() && t.successors().get(0).equals(s) && !t.predecessors().isEmpty()
                    && t.predecessors().get(0).equals(pr);
            if (ok) {
                good++;
            } else if (bad.length() < 2000) {
                bad.append(' ').append(m.node.topology()).append(" want succ ").append(s).append(" pred ").append(pr).append('\n');
            }
        }
        return good + "/" + ids.size() + (bad.length() > 0 ? "\n" + bad : "");
    }

    /** Bytes sent per live node per second over an idle window of {@code millis}. */
    private double idleBytes(long millis) {
        long b0 = net.bytesOnWire();
        net.runUntil(net.now() + millis);
        long live = members.stream().filter(m -> m.host.alive()).count();
        return (net.bytesOnWire() - b0) / (double) Math.max(1, live) / (millis / 1000.0);
    }

    private void scheduleLookups(long end, long[] lookups, long[] ok, long[] okAlive, long[] alive, List<Double> hops,
                                 List<Double> latency) {
        long gap = Math.max(1, Math.round(-Math.log(1 - rng.nextDouble()) * 1000 / p.lookupsPerSecond()));
        net.at(net.now() + gap, () -> {
            if (net.now() >= end) {
                return;
            }
            List<Member> ready = members.stream().filter(m -> m.host.alive() && m.joined
                    && net.now() - m.startedAt >= 10_000).toList();
            if (!ready.isEmpty()) {
                Member requester = ready.get(rng.nextInt(ready.size()));
                int i = rng.nextInt(p.records());
                boolean publisherAlive = initial.get(i % p.nodes()).host.alive();
                long t0 = net.now();
                lookups[0]++;
                if (publisherAlive) {
                    alive[0]++;
                }
                byte[] expected = value(i);
                Object token = new Object();
                unanswered.put(token, new Pending(requester, publisherAlive));
                requester.node.fetch(resource(i), List.of(StorageBodies.Specifier.all(BENCH_KIND,
                        StorageBodies.DataModel.SINGLE))).whenComplete((f, err) -> {
                            long took = net.now() - t0;
                            unanswered.remove(token);
                            if (err != null || took > 10_000) {
                                failures.merge(err != null ? "error: " + err.getMessage().replaceAll("[0-9a-f]{32}", "ID")
                                        : "late", 1, Integer::sum);
                                return;
                            }
                            boolean found = f.kinds().stream().flatMap(k -> k.values().stream())
                                    .anyMatch(sd -> sd.value().exists() && Arrays.equals(sd.value().data(), expected));
                            if (!found) {
                                failures.merge("not found at " + (f.responder().equals(responsibleFor(resource(i)))
                                        ? "the responsible peer" : "another peer"), 1, Integer::sum);
                            }
                            if (found) {
                                ok[0]++;
                                if (publisherAlive) {
                                    okAlive[0]++;
                                }
                                hops.add((double) f.hops());
                                latency.add((double) took);
                            }
                        });
            }
            scheduleLookups(end, lookups, ok, okAlive, alive, hops, latency);
        });
    }

    private void scheduleChurn(long end, long[] crashes) {
        double perSecond = p.churnPerMinute() * p.nodes() / 60.0;
        long gap = Math.max(1, Math.round(-Math.log(1 - rng.nextDouble()) * 1000 / perSecond));
        net.at(net.now() + gap, () -> {
            if (net.now() >= end) {
                return;
            }
            List<Member> candidates = members.stream().filter(m -> m.host.alive() && m != members.get(0)).toList();
            if (!candidates.isEmpty()) {
                Member victim = candidates.get(rng.nextInt(candidates.size()));
                victim.host.crash();
                crashes[0]++;
                start(List.of(members.get(0).host.localAddress()));
            }
            scheduleChurn(end, crashes);
        });
    }

    private Member start(List<PeerAddress> bootstrap) {
        byte[] raw = new byte[NodeId.BYTES];
        rng.nextBytes(raw);
        NodeId id = NodeId.of(raw, 0);
        int n = nextAddress++;
        PeerAddress address = new PeerAddress("10.201." + (n / 250) % 256 + "." + (n % 250 + 1), 6084);
        double access = 5 + rng.nextDouble() * 35;
        SimNetwork.Host host = net.host(address, id, access);
        Node node = new Node(id, new Node.Settings(OVERLAY, REPLICAS, 3000, 3, kind -> kind == BENCH_KIND
                ? StorageBodies.DataModel.SINGLE : null, org.peerline.overlay.node.AccessControl.ANY_SIGNER), host, host, new SimSecurity(id, identities),
                new ChordTopology(id, ChordTopology.Settings.defaults()), new Random(rng.nextLong()));
        host.listener(node);
        Member m = new Member(node, host, net.now());
        members.add(m);
        if (initial.size() < p.nodes()) {
            initial.add(m);
        }
        node.join(bootstrap).whenComplete((v, err) -> {
            if (err == null) {
                m.joined = true;
            } else {
                System.err.println("JOIN FAILED " + id + ": " + err);
            }
        });
        return m;
    }

    byte[] resource(int i) {
        return resourceId("sip:user" + i + "@site" + (i % p.nodes()));
    }

    /** The workload's Resource-ID: SHA-1 of the AOR, its first 128 bits (CHORD-RELOAD's hash). */
    static byte[] resourceId(String aor) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-1").digest(aor.getBytes(StandardCharsets.UTF_8)),
                    NodeId.BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] value(int i) {
        int m = i % p.nodes();
        String head = "v=1;aor=sip:user" + i + "@site" + m + ";gw=gw" + m + ".site" + m
                + ".invalid:5060;transport=udp;expires=3600;q=1.0;";
        String h;
        try {
            h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(head.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder sb = new StringBuilder(head).append("pad=");
        while (sb.length() < VALUE_BYTES) {
            sb.append(h);
        }
        return Arrays.copyOf(sb.toString().getBytes(StandardCharsets.US_ASCII), VALUE_BYTES);
    }

    static double pct(List<Double> xs, double q) {
        if (xs.isEmpty()) {
            return 0;
        }
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int i = (int) Math.ceil(q / 100.0 * a.length) - 1;
        return a[Math.max(0, Math.min(a.length - 1, i))];
    }
}
