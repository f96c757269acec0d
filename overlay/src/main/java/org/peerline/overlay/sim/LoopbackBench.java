package org.peerline.overlay.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.peerline.overlay.OverlayPeer;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.security.OverlayCa;

/**
 * The real-socket benchmark of the overlay (issue 3): N boxes in one JVM, linked by TLS over loopback,
 * each publishing the SIP registrations of its own domain; every record is then looked up from a random
 * box, a third of the boxes are killed one after another without a Leave, and every record is looked up
 * again. Prints store and lookup latency percentiles and what was found, as one JSON line.
 *
 * <p>{@code java -cp gateway/target/peerline.jar org.peerline.overlay.sim.LoopbackBench [NODES] [RECORDS] [SEED]}
 */
public final class LoopbackBench {
    private LoopbackBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
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
            Thread.sleep(3000);

            List<Double> storeMs = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger stored = new AtomicInteger();
            Semaphore window = new Semaphore(64);
            long s0 = System.nanoTime();
            for (int i = 0; i < k; i++) {
                window.acquire();
                OverlayPeer box = boxes.get(i % n);
                long t = System.nanoTime();
                box.publish(aor(i, n), "sip:user" + i + "@127.0.0.1:5061;transport=tls", Duration.ofHours(1))
                        .whenComplete((v, e) -> {
                            if (e == null) {
                                stored.incrementAndGet();
                                storeMs.add((System.nanoTime() - t) / 1e6);
                            }
                            window.release();
                        });
            }
            window.acquire(64);
            window.release(64);
            double storeSeconds = (System.nanoTime() - s0) / 1e9;

            Lookups before = lookups(boxes, k, n, rnd);
            List<OverlayPeer> victims = new ArrayList<>(boxes.subList(1, boxes.size()));
            Collections.shuffle(victims, rnd);
            int killed = n / 3;
            for (OverlayPeer v : victims.subList(0, killed)) {
                v.close();
                boxes.remove(v);
                Thread.sleep(1500);
            }
            Thread.sleep(3000);
            Lookups after = lookups(boxes, k, n, rnd);
            System.out.println(String.format(Locale.ROOT, "{\"nodes\":%d,\"records\":%d,\"join_s\":%.1f,"
                            + "\"stored\":%d,\"store_s\":%.1f,\"store_p50_ms\":%.2f,\"store_p99_ms\":%.2f,"
                            + "\"found_before\":%d,\"lookup_p50_ms\":%.2f,\"lookup_p99_ms\":%.2f,\"killed\":%d,"
                            + "\"found_after\":%d,\"lookup_after_p50_ms\":%.2f,\"lookup_after_p99_ms\":%.2f,\"wall_s\":%.1f}",
                    n, k, joinSeconds, stored.get(), storeSeconds, Simulation.pct(storeMs, 50), Simulation.pct(storeMs, 99), before.found,
                    Simulation.pct(before.ms, 50), Simulation.pct(before.ms, 99), killed, after.found, Simulation.pct(after.ms, 50), Simulation.pct(after.ms, 99),
                    (System.nanoTime() - t0) / 1e9));
        } finally {
            boxes.forEach(OverlayPeer::close);
        }
    }

    private record Lookups(int found, List<Double> ms) {
    }

    private static Lookups lookups(List<OverlayPeer> boxes, int k, int n, Random rnd) throws Exception {
        List<Double> ms = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger found = new AtomicInteger();
        Semaphore window = new Semaphore(64);
        ConcurrentLinkedQueue<String> missing = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < k; i++) {
            window.acquire();
            OverlayPeer box = boxes.get(rnd.nextInt(boxes.size()));
            String aor = aor(i, n);
            String uri = "sip:user" + i + "@127.0.0.1:5061;transport=tls";
            long t = System.nanoTime();
            CompletableFuture<?> f = box.lookup(aor).whenComplete((r, e) -> {
                if (e == null && r.size() == 1 && r.get(0).uri().equals(uri)) {
                    found.incrementAndGet();
                    ms.add((System.nanoTime() - t) / 1e6);
                } else if (missing.size() < 5) {
                    missing.add(aor + (e != null ? " " + e.getMessage() : " " + r));
                }
                window.release();
            });
            f.exceptionally(e -> null);
        }
        window.acquire(64);
        window.release(64);
        if (!missing.isEmpty()) {
            System.err.println("not found, for example: " + missing);
        }
        return new Lookups(found.get(), ms);
    }

    private static String aor(int i, int n) {
        return "sip:user" + i + "@site" + i % n + ".example";
    }

}
