package org.peerline.overlay.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.peerline.overlay.OverlayPeer;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.security.OverlayCa;

/**
 * The real-socket benchmark of the overlay (issue 3), phased like the sipgw-dht-v1 workload: N boxes in one
 * JVM, linked by TLS over loopback, join through box 0 and settle; an idle window measures maintenance
 * traffic; the boxes publish K SIP registrations of their own domains (at most 64 outstanding); Poisson
 * lookups at 20/s from random boxes measure latency; a second idle window runs with the records stored;
 * every record is then looked up once from a random box, a third of the boxes are killed one after
 * another without a Leave (links closed, as when a process dies), and every record is looked up again.
 * Prints one JSON line.
 *
 * <p>Bytes are read from the {@code lo} interface's transmit counter ({@code /proc/net/dev}), so they are
 * the overlay's own only in a network namespace of its own: {@code overlay/bench/loopback-bench.sh} runs this
 * class under {@code unshare -n}. They include TCP/IP and TLS headers (and the 14-byte link header of
 * {@code lo}); per store and per lookup they are net of the idle rate.
 *
 * <p>{@code java -cp gateway/target/peerline.jar org.peerline.overlay.sim.LoopbackBench [NODES] [RECORDS] [SEED]
 * [LOOKUP_SECONDS] [IDLE_SECONDS]}
 */
public final class LoopbackBench {
    /** Per network namespace (unlike /sys/class/net, which shows the namespace that mounted /sys). */
    private static final Path NET_DEV = Path.of("/proc/net/dev");
    private static final int WINDOW = 64;

    private LoopbackBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        int lookupSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        int idleSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        long t0 = System.nanoTime();
        OverlayCa ca = OverlayCa.generate("loopback.bench");
        List<OverlayPeer> boxes = new ArrayList<>();
        Random rnd = new Random(seed);
        try {
            for (int i = 0; i < n; i++) {
                OverlayPeer p = OverlayPeer.start("loopback.bench", ca.issue("site" + i, List.of("site" + i + ".example"),
                        Duration.ofDays(1)), new PeerAddress("127.0.0.1", 0));
                boxes.add(p);
                p.join(i == 0 ? List.of() : List.of(boxes.get(0).address())).get(30, TimeUnit.SECONDS);
            }
            double joinSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(Math.min(60, 2L * idleSeconds) * 1000); // settle: joins' Updates and finger lookups
            double idle = idleRate(idleSeconds, n);

            List<Double> storeMs = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger stored = new AtomicInteger();
            Semaphore window = new Semaphore(WINDOW);
            long s0 = System.nanoTime();
            long b0 = loBytes();
            for (int i = 0; i < k; i++) {
                window.acquire();
                OverlayPeer box = boxes.get(i % n);
                long t = System.nanoTime();
                box.publish(aor(i, n), uri(i), Duration.ofHours(1)).whenComplete((v, e) -> {
                    if (e == null) {
                        stored.incrementAndGet();
                        storeMs.add((System.nanoTime() - t) / 1e6);
                    }
                    window.release();
                });
            }
            window.acquire(WINDOW);
            window.release(WINDOW);
            double storeSeconds = (System.nanoTime() - s0) / 1e9;
            double bytesPerStore = net(loBytes() - b0, idle * n, storeSeconds) / k;

            Thread.sleep(5000);
            Poisson poisson = poissonLookups(boxes, k, n, rnd, lookupSeconds, idle);
            double idleStored = idleRate(idleSeconds, n);

            Lookups before = lookupAll(boxes, k, n, rnd);
            List<OverlayPeer> victims = new ArrayList<>(boxes.subList(1, boxes.size()));
            Collections.shuffle(victims, rnd);
            int killed = n / 3;
            for (OverlayPeer v : victims.subList(0, killed)) {
                v.close();
                boxes.remove(v);
                Thread.sleep(1500);
            }
            Thread.sleep(3000);
            Lookups after = lookupAll(boxes, k, n, rnd);
            System.out.println(String.format(Locale.ROOT, "{\"nodes\":%d,\"records\":%d,\"seed\":%d,\"join_s\":%.1f,"
                            + "\"idle_bytes_per_node_per_s\":%.1f,\"stored\":%d,\"store_s\":%.1f,\"store_p50_ms\":%.2f,"
                            + "\"store_p99_ms\":%.2f,\"bytes_per_store\":%.0f,\"lookups\":%d,\"lookup_success\":%.5f,"
                            + "\"latency_p50_ms\":%.2f,\"latency_p90_ms\":%.2f,\"latency_p99_ms\":%.2f,\"bytes_per_lookup\":%.0f,"
                            + "\"idle_bytes_per_node_per_s_records_stored\":%.1f,\"found_before\":%d,\"killed\":%d,"
                            + "\"found_after\":%d,\"lookup_after_p50_ms\":%.2f,\"lookup_after_p99_ms\":%.2f,\"wall_s\":%.1f}",
                    n, k, seed, joinSeconds, idle, stored.get(), storeSeconds, Simulation.pct(storeMs, 50),
                    Simulation.pct(storeMs, 99), bytesPerStore, poisson.lookups, poisson.found / (double) Math.max(1, poisson.lookups),
                    Simulation.pct(poisson.ms, 50), Simulation.pct(poisson.ms, 90), Simulation.pct(poisson.ms, 99),
                    poisson.bytesPerLookup, idleStored, before.found, killed, after.found, Simulation.pct(after.ms, 50),
                    Simulation.pct(after.ms, 99), (System.nanoTime() - t0) / 1e9));
        } finally {
            boxes.forEach(OverlayPeer::close);
        }
    }

    /** Bytes sent on lo so far, or -1 where the counter cannot be read. */
    private static long loBytes() {
        try {
            for (String line : Files.readAllLines(NET_DEV)) {
                String l = line.trim();
                if (l.startsWith("lo:")) {
                    String[] f = l.substring(3).trim().split("\\s+");
                    return Long.parseLong(f[8]); // receive: bytes packets errs drop fifo frame compressed multicast; then transmit bytes
                }
            }
            return -1;
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return -1;
        }
    }

    /** Bytes per node per second over an idle window of {@code seconds}. */
    private static double idleRate(int seconds, int n) throws InterruptedException {
        long b0 = loBytes();
        long t = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        return b0 < 0 ? Double.NaN : (loBytes() - b0) / ((System.nanoTime() - t) / 1e9) / n;
    }

    /** {@code bytes} less the idle background of {@code idlePerSecond} over {@code seconds}. */
    private static double net(long bytes, double idlePerSecond, double seconds) {
        return bytes < 0 ? Double.NaN : Math.max(0, bytes - idlePerSecond * seconds);
    }

    private record Poisson(int lookups, int found, List<Double> ms, double bytesPerLookup) {
    }

    /** Lookups arriving at 20/s (exponential gaps) for {@code seconds}: random box, random record, 10 s to answer. */
    private static Poisson poissonLookups(List<OverlayPeer> boxes, int k, int n, Random rnd, int seconds, double idle)
            throws InterruptedException {
        List<Double> ms = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger found = new AtomicInteger();
        AtomicInteger pending = new AtomicInteger();
        int issued = 0;
        long start = System.nanoTime();
        long b0 = loBytes();
        long end = start + seconds * 1_000_000_000L;
        long next = start;
        while (true) {
            next += (long) (-Math.log(1 - rnd.nextDouble()) / 20.0 * 1e9);
            if (next >= end) {
                break;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int i = rnd.nextInt(k);
            OverlayPeer box = boxes.get(rnd.nextInt(boxes.size()));
            long t = System.nanoTime();
            issued++;
            pending.incrementAndGet();
            box.lookup(aor(i, n)).orTimeout(10, TimeUnit.SECONDS).whenComplete((r, e) -> {
                if (e == null && r.size() == 1 && r.get(0).uri().equals(uri(i))) {
                    found.incrementAndGet();
                    ms.add((System.nanoTime() - t) / 1e6);
                }
                pending.decrementAndGet();
            });
        }
        while (pending.get() > 0) {
            Thread.sleep(10);
        }
        double secondsTaken = (System.nanoTime() - start) / 1e9;
        return new Poisson(issued, found.get(), ms, net(loBytes() - b0, idle * boxes.size(), secondsTaken) / Math.max(1, issued));
    }

    private record Lookups(int found, List<Double> ms) {
    }

    /** Every record looked up once from a random box, at most 64 outstanding. */
    private static Lookups lookupAll(List<OverlayPeer> boxes, int k, int n, Random rnd) throws InterruptedException {
        List<Double> ms = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger found = new AtomicInteger();
        Semaphore window = new Semaphore(WINDOW);
        ConcurrentLinkedQueue<String> missing = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < k; i++) {
            window.acquire();
            OverlayPeer box = boxes.get(rnd.nextInt(boxes.size()));
            String aor = aor(i, n);
            String uri = uri(i);
            long t = System.nanoTime();
            box.lookup(aor).whenComplete((r, e) -> {
                if (e == null && r.size() == 1 && r.get(0).uri().equals(uri)) {
                    found.incrementAndGet();
                    ms.add((System.nanoTime() - t) / 1e6);
                } else if (missing.size() < 5) {
                    missing.add(aor + (e != null ? " " + e.getMessage() : " " + r));
                }
                window.release();
            });
        }
        window.acquire(WINDOW);
        window.release(WINDOW);
        if (!missing.isEmpty()) {
            System.err.println("not found, for example: " + missing);
        }
        return new Lookups(found.get(), ms);
    }

    private static String aor(int i, int n) {
        return "sip:user" + i + "@site" + i % n + ".example";
    }

    private static String uri(int i) {
        return "sip:user" + i + "@127.0.0.1:5061;transport=tls";
    }
}
