package org.peerline.overlay.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.api.PeerAddress;
import org.peerline.overlay.node.Scheduler;
import org.peerline.overlay.node.Transport;

/**
 * A simulated network in virtual time: one event queue for every node, links with latency, loss and
 * partitions, and byte counts that include what TLS over TCP would add. Single-threaded and seeded, so a
 * run replays exactly.
 *
 * <p>Model: each host has an access latency; a message between two hosts takes the sum of theirs. TCP
 * hides loss as delay: a lost segment arrives one retransmission timeout later. A crashed host answers
 * nothing: its peers find out when a message they send is not acknowledged within the ack timeout
 * (RELOAD framing acks, §6.6.2), exactly as over real links. A partition drops everything between groups.
 *
 * <p>Wire bytes per message: the RELOAD message, 8 bytes of framing, 22 of TLS record (TLS 1.3 AEAD), 52
 * of TCP/IP per 1448-byte segment; the receiver's ack frame (9 bytes) costs the same overheads. A link
 * costs 2,800 bytes to open (TCP handshake and a mutually authenticated TLS 1.3 handshake with ECDSA
 * certificates).
 */
public final class SimNetwork {
    static final int FRAMING = 8;
    static final int TLS_RECORD = 22;
    static final int TCP_IP = 52;
    static final int MSS = 1448;
    static final int ACK_FRAME = 9;
    static final int LINK_SETUP_INITIATOR = 1300;
    static final int LINK_SETUP_ACCEPTOR = 1500;

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Map<PeerAddress, Host> hosts = new HashMap<>();
    private final Random random;
    private long now;
    private long seq;
    private double lossRate;
    private long bytesOnWire;

    public SimNetwork(Random random) {
        this.random = random;
    }

    public long now() {
        return now;
    }

    /** Probability that a segment is lost (and arrives one retransmission timeout later). */
    public void lossRate(double p) {
        this.lossRate = p;
    }

    /** All IP bytes sent so far, by every host. */
    public long bytesOnWire() {
        return bytesOnWire;
    }

    /** Runs events until virtual time {@code until} (ms) or the queue is empty. */
    public void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().time <= until) {
            Event e = queue.poll();
            now = e.time;
            if (!e.cancelled) {
                e.task.run();
            }
        }
        now = Math.max(now, until);
    }

    /** Runs events until {@code done} says so or virtual time {@code until} passes; true if done. */
    public boolean runUntil(long until, java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            Event e = queue.peek();
            if (e == null || e.time > until) {
                now = Math.max(now, until);
                return done.getAsBoolean();
            }
            queue.poll();
            now = e.time;
            if (!e.cancelled) {
                e.task.run();
            }
        }
        return true;
    }

    Event at(long time, Runnable task) {
        Event e = new Event(Math.max(time, now), seq++, task);
        queue.add(e);
        return e;
    }

    /** A host at {@code address} with the given one-way access latency. */
    public Host host(PeerAddress address, NodeId id, double accessLatencyMillis) {
        Host h = new Host(address, id, accessLatencyMillis);
        hosts.put(address, h);
        return h;
    }

    static final class Event implements Comparable<Event>, Scheduler.Timer {
        final long time;
        final long seq;
        final Runnable task;
        boolean cancelled;

        Event(long time, long seq, Runnable task) {
            this.time = time;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Event o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private static long wire(int messageBytes) {
        int payload = messageBytes + FRAMING + TLS_RECORD;
        return payload + (long) TCP_IP * ((payload + MSS - 1) / MSS);
    }

    private static long ackWire() {
        return ACK_FRAME + TLS_RECORD + TCP_IP;
    }

    /**
     * One simulated host: its scheduler (tasks stop when it crashes) and its transport.
     */
    public final class Host implements Transport, Scheduler {
        final PeerAddress address;
        final NodeId id;
        final double access;
        Transport.Listener listener;
        boolean alive = true;
        int group;
        long bytesSent;
        final Map<NodeId, Host> links = new HashMap<>();
        /** Messages sent on a link and not yet acknowledged, per peer. */
        final Map<NodeId, List<byte[]>> unacked = new HashMap<>();

        Host(PeerAddress address, NodeId id, double access) {
            this.address = address;
            this.id = id;
            this.access = access;
        }

        public void listener(Transport.Listener l) {
            this.listener = l;
        }

        public boolean alive() {
            return alive;
        }

        public long bytesSent() {
            return bytesSent;
        }

        /** Puts this host in partition {@code g}; hosts in different groups cannot reach each other. */
        public void group(int g) {
            this.group = g;
        }

        /** Stops the host dead: no more events run, nothing is answered, no link is closed. */
        public void crash() {
            alive = false;
            hosts.remove(address);
        }

        private void count(long bytes) {
            bytesSent += bytes;
            bytesOnWire += bytes;
        }

        private long oneWay(Host to) {
            double l = access + to.access;
            if (lossRate > 0 && random.nextDouble() < lossRate) {
                l += Math.max(200, 3 * l); // the segment is lost; TCP resends it after its timeout
            }
            return Math.round(l);
        }

        private long ackTimeout(Host to) {
            return Math.max(500, Math.round(4 * (access + to.access)));
        }

        private boolean reachable(Host to) {
            return to != null && to.alive && to.group == group;
        }

        // ------------------------------------------------------------------------------- Scheduler

        @Override
        public long now() {
            return SimNetwork.this.now;
        }

        @Override
        public Timer after(long delayMillis, Runnable task) {
            return at(SimNetwork.this.now + Math.max(0, delayMillis), () -> {
                if (alive) {
                    task.run();
                }
            });
        }

        // ------------------------------------------------------------------------------- Transport

        @Override
        public void connect(PeerAddress address) {
            Host to = hosts.get(address);
            count(LINK_SETUP_INITIATOR);
            if (!reachable(to)) {
                after(3000, () -> listener.connectFailed(address, "no answer"));
                return;
            }
            if (links.containsKey(to.id)) {
                after(0, () -> listener.linkUp(to.id, to.address));
                return;
            }
            long rtt = 2 * Math.round(access + to.access);
            to.count(LINK_SETUP_ACCEPTOR);
            // TCP handshake, then TLS 1.3 (one round trip): the acceptor has the link after 1.5 RTT, we after 2
            to.after(rtt * 3 / 2, () -> {
                if (!alive) {
                    return;
                }
                to.links.put(id, Host.this);
                to.listener.linkUp(id, Host.this.address);
            });
            after(rtt * 2, () -> {
                if (!to.alive || to.group != group) {
                    listener.connectFailed(address, "handshake failed");
                    return;
                }
                links.put(to.id, to);
                listener.linkUp(to.id, to.address);
            });
        }

        @Override
        public boolean send(NodeId peer, byte[] message) {
            Host to = links.get(peer);
            if (to == null) {
                return false;
            }
            count(wire(message.length));
            List<byte[]> pending = unacked.computeIfAbsent(peer, p -> new ArrayList<>());
            pending.add(message);
            if (reachable(to)) {
                long delay = oneWay(to);
                to.after(delay, () -> {
                    // the other end takes it if its end of the link is (by now) up: an acceptor may send as soon
                    // as its side of the handshake is done, and TCP holds the data until the dialler's side is
                    if (to.links.get(id) != Host.this) {
                        return;
                    }
                    to.count(ackWire());
                    Host.this.after(oneWay(to), () -> pending.remove(message));
                    to.listener.received(id, message);
                });
            }
            after(ackTimeout(to), () -> {
                if (pending.contains(message) && links.get(peer) == to) {
                    // not acknowledged in time: the link is dead
                    links.remove(peer);
                    List<byte[]> lost = new ArrayList<>(pending);
                    unacked.remove(peer);
                    listener.linkDown(peer, lost);
                }
            });
            return true;
        }

        @Override
        public void disconnect(NodeId peer) {
            Host to = links.remove(peer);
            unacked.remove(peer);
            if (to != null && to.alive && to.links.get(id) == this) {
                to.after(Math.round(access + to.access), () -> {
                    if (to.links.get(id) == Host.this) {
                        to.links.remove(id);
                        List<byte[]> lost = to.unacked.remove(id);
                        to.listener.linkDown(id, lost == null ? List.of() : lost);
                    }
                });
            }
        }

        @Override
        public boolean connected(NodeId peer) {
            return links.containsKey(peer);
        }

        @Override
        public PeerAddress localAddress() {
            return address;
        }

        @Override
        public void close() {
            for (NodeId p : List.copyOf(links.keySet())) {
                disconnect(p);
            }
            hosts.remove(address);
        }
    }
}
