package org.peerline.relay.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.peerline.relay.MediaRelay;
import org.peerline.relay.RelayCall;
import org.peerline.relay.RelaySettings;

/**
 * Load generator for the relay (issue 5's benchmark): N concurrent bidirectional G.711 calls (172-byte RTP
 * packets, 50 per second each way, calls staggered over the 20 ms packet interval) pushed through a
 * {@link MediaRelay} in this JVM on loopback. For each N it prints loss, one-way latency through the relay
 * p50/p99 (sender to receiver, both here: an upper bound of what the relay adds), mean jitter (RFC 3550
 * estimator over the receive side), and the relay's CPU per forwarded packet (CPU time of its event-loop
 * threads over the packets it forwarded). The ladder stops at the first N that loses 0.1 % or more, or
 * whose p99 reaches 5 ms; the last N before it is the result.
 *
 * <p>Usage: {@code java -cp relay.jar:deps org.peerline.relay.bench.RelayBench [--seconds S] [--threads T]
 * [--ladder 100,200,...]}; see {@code relay/bench/relay-bench.sh}.
 */
public final class RelayBench {
    private static final int PACKET = 172;
    private static final int INTERVAL_MS = 20;
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    private RelayBench() {
    }

    /** One direction's measurements over a trial. */
    private static final class Meter {
        long sent;
        long received;
        volatile long measureFrom = Long.MAX_VALUE;
        long[] latencies = new long[1 << 20];
        int n;
        double jitterSum;
        long jitterSamples;

        void latency(long nanos) {
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = nanos;
        }
    }

    /** One phone: its socket, the relay port it sends to, its stream's state. */
    private static final class Phone {
        final DatagramChannel channel;
        final InetSocketAddress relay;
        final int offsetMs;
        int seq;
        long lastTransit = Long.MIN_VALUE;
        double jitter;

        Phone(DatagramChannel channel, InetSocketAddress relay, int offsetMs) {
            this.channel = channel;
            this.relay = relay;
            this.offsetMs = offsetMs;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int threads = 1;
        int[] ladder = {100, 200, 400, 600, 800, 1000, 1200, 1500, 2000};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--ladder" -> ladder = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf("relay-bench: %d s per trial, %d relay thread(s), %d cores, Java %s%n", seconds, threads,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        trial(Math.min(200, ladder[0]), 3, threads); // warm-up: the JIT compiles both sides before anything counts
        System.out.println("calls\tpackets/s\tloss%\tp50_ms\tp99_ms\tjitter_ms\trelay_us_per_packet\trelay_cpu%");
        int best = 0;
        for (int calls : ladder) {
            double[] r = trial(calls, seconds, threads);
            System.out.printf(Locale.ROOT, "%d\t%.0f\t%.3f\t%.2f\t%.2f\t%.3f\t%.2f\t%.0f%n", calls, r[0], r[1], r[2], r[3],
                    r[4], r[5], r[6]);
            if (r[1] >= 0.1 || r[3] >= 5.0) {
                break;
            }
            best = calls;
        }
        System.out.printf("RESULT relay: %d concurrent calls with < 0.1 %% loss and p99 < 5 ms%n", best);
    }

    /** Returns packets/s, loss %, p50 ms, p99 ms, mean jitter ms, relay µs per packet, relay CPU % of a core. */
    private static double[] trial(int calls, int seconds, int threads) throws Exception {
        int ports = calls * 4 + 8;
        try (MediaRelay relay = MediaRelay.start(new RelaySettings("127.0.0.1", 20000, 20000 + ports - 1 + (ports % 2),
                Duration.ofSeconds(60)), threads); Selector selector = Selector.open()) {
            List<Phone> phones = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                RelayCall call = relay.open("bench-" + c);
                DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress(LO, 0));
                DatagramChannel b = DatagramChannel.open().bind(new InetSocketAddress(LO, 0));
                call.a().expect(LO, (InetSocketAddress) a.getLocalAddress(), null);
                call.b().expect(LO, (InetSocketAddress) b.getLocalAddress(), null);
                int offset = (int) ((long) c * INTERVAL_MS / calls);
                Phone pa = new Phone(a, new InetSocketAddress(LO, call.a().rtpPort()), offset);
                Phone pb = new Phone(b, new InetSocketAddress(LO, call.b().rtpPort()), offset);
                for (Phone p : new Phone[] {pa, pb}) {
                    p.channel.configureBlocking(false);
                    p.channel.register(selector, SelectionKey.OP_READ, p);
                    phones.add(p);
                }
            }
            Meter meter = new Meter();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread receiver = new Thread(() -> receive(selector, meter, running), "bench-receiver");
            receiver.start();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = relayCpu(mx);
            long start = System.nanoTime();
            meter.measureFrom = start + 1_000_000_000L;
            long sent = send(phones, start, seconds);
            long elapsed = System.nanoTime() - start;
            Thread.sleep(300); // the last packets arrive
            running.set(false);
            selector.wakeup();
            receiver.join();
            long cpu = relayCpu(mx) - cpu0;
            for (Phone p : phones) {
                p.channel.close();
            }
            long received;
            long[] lat;
            synchronized (meter) {
                received = meter.received;
                lat = Arrays.copyOf(meter.latencies, meter.n);
            }
            Arrays.sort(lat);
            double loss = sent == 0 ? 0 : 100.0 * Math.max(0, sent - received) / sent;
            double p50 = lat.length == 0 ? 0 : lat[lat.length / 2] / 1e6;
            double p99 = lat.length == 0 ? 0 : lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))] / 1e6;
            double jitter = meter.jitterSamples == 0 ? 0 : meter.jitterSum / meter.jitterSamples;
            double perPacket = received == 0 ? 0 : cpu / 1e3 / received;
            return new double[] {sent * 1e9 / elapsed, loss, p50, p99, jitter, perPacket, 100.0 * cpu / elapsed};
        }
    }

    /** Sends 50 packets/s from every phone, each at its offset in the 20 ms cycle; returns packets sent. */
    private static long send(List<Phone> phones, long start, int seconds) throws IOException, InterruptedException {
        ByteBuffer buf = ByteBuffer.allocateDirect(PACKET);
        long sent = 0;
        int cycles = seconds * 1000 / INTERVAL_MS;
        for (int cycle = 0; cycle < cycles; cycle++) {
            for (int ms = 0; ms < INTERVAL_MS; ms++) {
                long due = start + ((long) cycle * INTERVAL_MS + ms) * 1_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
                for (Phone p : phones) {
                    if (p.offsetMs != ms) {
                        continue;
                    }
                    buf.clear();
                    buf.put((byte) 0x80).put((byte) 0).putShort((short) p.seq).putInt(p.seq * 160).putInt(p.hashCode());
                    buf.putLong(System.nanoTime());
                    while (buf.position() < PACKET) {
                        buf.put((byte) 0xd5);
                    }
                    buf.flip();
                    p.seq++;
                    if (p.channel.send(buf, p.relay) > 0) {
                        sent++;
                    }
                }
            }
        }
        return sent;
    }

    private static void receive(Selector selector, Meter meter, AtomicBoolean running) {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        try {
            while (running.get()) {
                selector.select(100);
                long now = System.nanoTime();
                for (SelectionKey k : selector.selectedKeys()) {
                    Phone p = (Phone) k.attachment();
                    while (true) {
                        buf.clear();
                        if (p.channel.receive(buf) == null) {
                            break;
                        }
                        if (buf.position() < 20) {
                            continue;
                        }
                        long sentAt = buf.getLong(12);
                        if (sentAt < meter.measureFrom) {
                            synchronized (meter) {
                                meter.received++;
                            }
                            continue; // the first second: sockets and caches settle
                        }
                        long timestamp = buf.getInt(4) & 0xffffffffL;
                        synchronized (meter) {
                            meter.received++;
                            meter.latency(now - sentAt);
                            long transit = now * 8000 / 1_000_000_000L - timestamp;
                            if (p.lastTransit != Long.MIN_VALUE) {
                                p.jitter += (Math.abs(transit - p.lastTransit) - p.jitter) / 16.0;
                                meter.jitterSum += p.jitter / 8.0; // timestamp units of 1/8000 s -> ms
                                meter.jitterSamples++;
                            }
                            p.lastTransit = transit;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // the trial ended
        }
    }

    /** CPU time of the relay's event-loop threads, in nanoseconds. */
    private static long relayCpu(ThreadMXBean mx) {
        long total = 0;
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("multiThreadIoEventLoopGroup")) {
                long c = mx.getThreadCpuTime(t.getThreadId());
                if (c > 0) {
                    total += c;
                }
            }
        }
        return total;
    }
}
