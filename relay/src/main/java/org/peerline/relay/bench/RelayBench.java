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
 * {@link MediaRelay} in this JVM (or an rtpengine daemon, over its NG control protocol) on loopback. For each
 * N it prints loss, one-way latency through the relay
 * p50/p99 (sender to receiver, both here: an upper bound of what the relay adds), mean jitter (RFC 3550
 * estimator over the receive side), and the relay's CPU per forwarded packet (CPU time of its event-loop
 * threads over the packets it forwarded; rtpengine's process CPU). The first second of each trial is not
 * counted (the relays learn the phones' addresses). The ladder stops at the first N that loses 0.1 % or more, or
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
        /** Every packet that came through, the first second's too (the relay's CPU covers them). */
        volatile long forwarded;
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
        InetSocketAddress rtpengine = null;
        long rtpenginePid = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--ladder" -> ladder = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--rtpengine" -> {
                    String[] hp = args[++i].split(":");
                    rtpengine = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
                    rtpenginePid = Long.parseLong(args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String name = rtpengine == null ? "peerline" : "rtpengine";
        System.out.printf("relay-bench %s: %d s per trial, %d relay thread(s), %d cores, Java %s%n", name, seconds,
                threads, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        InetSocketAddress engine = rtpengine;
        long enginePid = rtpenginePid;
        TargetFactory factory = (calls, t) -> engine == null ? new PeerlineTarget(calls, t)
                : new RtpengineTarget(engine, enginePid);
        trial(factory, Math.min(200, ladder[0]), 3, threads); // warm-up: the JIT compiles both sides before anything counts
        System.out.println("calls\tpackets/s\tloss%\tp50_ms\tp99_ms\tjitter_ms\trelay_us_per_packet\trelay_cpu%");
        int best = 0;
        for (int calls : ladder) {
            double[] r = trial(factory, calls, seconds, threads);
            System.out.printf(Locale.ROOT, "%d\t%.0f\t%.3f\t%.2f\t%.2f\t%.3f\t%.2f\t%.0f%n", calls, r[0], r[1], r[2], r[3],
                    r[4], r[5], r[6]);
            if (r[1] >= 0.1 || r[3] >= 5.0) {
                break;
            }
            best = calls;
        }
        System.out.printf("RESULT %s: %d concurrent calls with < 0.1 %% loss and p99 < 5 ms%n", name, best);
    }

    /** Returns packets/s, loss %, p50 ms, p99 ms, mean jitter ms, relay µs per packet, relay CPU % of a core. */
    private static double[] trial(TargetFactory factory, int calls, int seconds, int threads) throws Exception {
        try (Target target = factory.create(calls, threads); Selector selector = Selector.open()) {
            List<Phone> phones = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress(LO, 0));
                DatagramChannel b = DatagramChannel.open().bind(new InetSocketAddress(LO, 0));
                InetSocketAddress[] to = target.open(c, (InetSocketAddress) a.getLocalAddress(),
                        (InetSocketAddress) b.getLocalAddress());
                int offset = (int) ((long) c * INTERVAL_MS / calls);
                Phone pa = new Phone(a, to[0], offset);
                Phone pb = new Phone(b, to[1], offset);
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
            long cpu0 = target.cpuNanos();
            long start = System.nanoTime();
            meter.measureFrom = start + 1_000_000_000L;
            long sent = send(phones, start, seconds, meter.measureFrom);
            long elapsed = System.nanoTime() - start;
            Thread.sleep(300); // the last packets arrive
            running.set(false);
            selector.wakeup();
            receiver.join();
            long cpu = target.cpuNanos() - cpu0;
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
            double perPacket = meter.forwarded == 0 ? 0 : cpu / 1e3 / meter.forwarded;
            return new double[] {sent * 1e9 / (elapsed - 1e9), loss, p50, p99, jitter, perPacket, 100.0 * cpu / elapsed};
        }
    }

    /** Sends 50 packets/s from every phone, each at its offset in the 20 ms cycle; returns packets sent. */
    /** Returns the packets sent from {@code measureFrom} on (those loss is counted over). */
    private static long send(List<Phone> phones, long start, int seconds, long measureFrom)
            throws IOException, InterruptedException {
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
                    long now = System.nanoTime();
                    buf.putLong(now);
                    while (buf.position() < PACKET) {
                        buf.put((byte) 0xd5);
                    }
                    buf.flip();
                    p.seq++;
                    if (p.channel.send(buf, p.relay) > 0 && now >= measureFrom) {
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
                        meter.forwarded++;
                        if (sentAt < meter.measureFrom) {
                            continue; // the first second: sockets settle and relays learn the phones' addresses
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

    /** What the calls go through. */
    private interface Target extends AutoCloseable {
        /** Sets up call {@code c} between phones at {@code a} and {@code b}; returns where a and b send. */
        InetSocketAddress[] open(int c, InetSocketAddress a, InetSocketAddress b) throws IOException;

        /** CPU the relay has used so far, in nanoseconds. */
        long cpuNanos() throws IOException;

        @Override
        void close() throws IOException;
    }

    private interface TargetFactory {
        Target create(int calls, int threads) throws IOException;
    }

    /** Peerline's {@link MediaRelay} in this JVM. */
    private static final class PeerlineTarget implements Target {
        private final MediaRelay relay;
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();

        PeerlineTarget(int calls, int threads) {
            int ports = calls * 4 + 8;
            relay = MediaRelay.start(new RelaySettings("127.0.0.1", 20000, 20000 + ports - 1, Duration.ofSeconds(60)),
                    threads);
        }

        @Override
        public InetSocketAddress[] open(int c, InetSocketAddress a, InetSocketAddress b) throws IOException {
            RelayCall call = relay.open("bench-" + c);
            call.a().expect(LO, a, null);
            call.b().expect(LO, b, null);
            return new InetSocketAddress[] {new InetSocketAddress(LO, call.a().rtpPort()),
                    new InetSocketAddress(LO, call.b().rtpPort())};
        }

        @Override
        public long cpuNanos() {
            return relayCpu(mx);
        }

        @Override
        public void close() {
            relay.close();
        }
    }

    /** An rtpengine daemon (userspace forwarding) driven over its NG control protocol. */
    private static final class RtpengineTarget implements Target {
        private static final java.util.regex.Pattern PORT = java.util.regex.Pattern.compile("m=audio (\\d+) ");
        private final InetSocketAddress ng;
        private final long pid;
        private static java.net.DatagramSocket control;
        private final List<String> callIds = new ArrayList<>();
        private static int cookie;

        RtpengineTarget(InetSocketAddress ng, long pid) throws IOException {
            this.ng = ng;
            this.pid = pid;
            if (control == null) { // one control socket for all trials, so late answers are recognised
                control = new java.net.DatagramSocket();
                control.setSoTimeout(2000);
            }
        }

        @Override
        public InetSocketAddress[] open(int c, InetSocketAddress a, InetSocketAddress b) throws IOException {
            String callId = "bench-" + c + "-" + System.nanoTime();
            callIds.add(callId);
            String offered = command("offer", callId, sdp(a), null);
            String answered = command("answer", callId, sdp(b), "b");
            // the offer's answer SDP goes to b (where b sends), the answer's to a (where a sends)
            return new InetSocketAddress[] {new InetSocketAddress(LO, port(answered)), new InetSocketAddress(LO, port(offered))};
        }

        private static String sdp(InetSocketAddress phone) {
            return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + phone.getPort()
                    + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
        }

        private static int port(String sdp) throws IOException {
            java.util.regex.Matcher m = PORT.matcher(sdp);
            if (!m.find()) {
                throw new IOException("rtpengine's SDP has no audio port: " + sdp);
            }
            return Integer.parseInt(m.group(1));
        }

        /** Sends an NG offer or answer (a bencoded dictionary, keys in order) and returns rtpengine's SDP. */
        private String command(String command, String callId, String sdp, String toTag) throws IOException {
            StringBuilder d = new StringBuilder("d");
            bencode(d, "call-id", callId);
            bencode(d, "command", command);
            bencode(d, "from-tag", "a");
            bencode(d, "sdp", sdp);
            if (toTag != null) {
                bencode(d, "to-tag", toTag);
            }
            d.append('e');
            String id = Integer.toString(++cookie);
            byte[] out = (id + " " + d).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] in = new byte[65536];
            String answer = null;
            for (int attempt = 0; attempt < 3 && answer == null; attempt++) { // UDP: send again, same cookie
                control.send(new java.net.DatagramPacket(out, out.length, ng));
                try {
                    String got;
                    do { // skip late answers to earlier commands (the deletes of the last trial)
                        java.net.DatagramPacket p = new java.net.DatagramPacket(in, in.length);
                        control.receive(p);
                        got = new String(in, 0, p.getLength(), java.nio.charset.StandardCharsets.ISO_8859_1);
                    } while (!got.startsWith(id + " "));
                    answer = got;
                } catch (java.net.SocketTimeoutException e) {
                    // rtpengine busy (deleting the last trial's calls): try again
                }
            }
            if (answer == null) {
                throw new IOException("rtpengine did not answer " + command + " three times");
            }
            int at = answer.indexOf("3:sdp");
            if (!answer.contains("6:result2:ok") || at < 0) {
                throw new IOException("rtpengine refused " + command + ": " + answer);
            }
            int colon = answer.indexOf(':', at + 5);
            int len = Integer.parseInt(answer.substring(at + 5, colon));
            return answer.substring(colon + 1, colon + 1 + len);
        }

        private static void bencode(StringBuilder d, String key, String value) {
            d.append(key.length()).append(':').append(key).append(value.length()).append(':').append(value);
        }

        @Override
        public long cpuNanos() throws IOException {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat")).split("\\) ")[1]
                    .split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * 10_000_000L; // USER_HZ = 100
        }

        @Override
        public void close() throws IOException {
            for (String id : callIds) {
                StringBuilder d = new StringBuilder("d");
                bencode(d, "call-id", id);
                bencode(d, "command", "delete");
                bencode(d, "from-tag", "a");
                d.append('e');
                byte[] out = (++cookie + " " + d).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                control.send(new java.net.DatagramPacket(out, out.length, ng));
            }
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
