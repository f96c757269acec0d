package org.peerline.gateway.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The registrar's location service: AOR to contacts, with the update rules of RFC 3261 §10.3 steps 6-8.
 * Thread-safe: each AOR is updated atomically; listeners hear every change (persistence, and later the
 * overlay publisher). Time is passed in as epoch milliseconds.
 */
public final class BindingTable {
    /** One contact named by a REGISTER, already bounded by the registrar's expiry rules. */
    public record Change(String contact, float q, long expiresSeconds, String source, boolean viaSource,
                         String userAgent) {
    }

    /** Result of applying a REGISTER. */
    public sealed interface Outcome {
    }

    /** The request was applied; {@code bindings} are the AOR's live contacts afterwards. */
    public record Applied(List<Binding> bindings) implements Outcome {
    }

    /** Same Call-ID with a CSeq not above the stored one: an out-of-order or replayed REGISTER. */
    public record OutOfOrder(long storedCseq) implements Outcome {
    }

    /** Receives an AOR's complete list of live bindings after each change (empty when all are gone). */
    public interface Listener {
        void changed(String aor, List<Binding> bindings);
    }

    private static final Comparator<Binding> BY_PREFERENCE =
            Comparator.comparingDouble((Binding b) -> -b.q()).thenComparing(Binding::expiresAt, Comparator.reverseOrder());

    private final Map<String, List<Binding>> table = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final int maxContacts;

    public BindingTable(int maxContacts) {
        this.maxContacts = maxContacts;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /** Live contacts of {@code aor}, most preferred first. */
    public List<Binding> lookup(String aor, long now) {
        List<Binding> list = table.get(aor);
        if (list == null) {
            return List.of();
        }
        List<Binding> live = new ArrayList<>(list.size());
        for (Binding b : list) {
            if (b.live(now)) {
                live.add(b);
            }
        }
        return live;
    }

    /**
     * Applies the contacts of one REGISTER (RFC 3261 §10.3 step 7): each contact is added, refreshed, or
     * removed (expires 0). A contact already bound with the same Call-ID and a CSeq not lower than this
     * request's makes the whole request out of order. Beyond {@code maxContacts}, the oldest are dropped.
     */
    public Outcome register(String aor, String callId, long cseq, List<Change> changes, long now) {
        return register(aor, callId, cseq, changes, now, false);
    }

    /**
     * As {@link #register(String, String, long, List, long)}; a {@code retransmission} of the REGISTER that
     * set the stored CSeq (see {@link RecentRequests}) is applied again instead of refused.
     */
    public Outcome register(String aor, String callId, long cseq, List<Change> changes, long now,
                            boolean retransmission) {
        Outcome[] out = new Outcome[1];
        table.compute(aor, (k, old) -> {
            List<Binding> cur = old == null ? new ArrayList<>() : live(old, now);
            for (Change c : changes) {
                for (Binding b : cur) {
                    if (b.contact().equals(c.contact()) && b.callId().equals(callId)
                            && outOfOrder(cseq, b.cseq(), retransmission)) {
                        out[0] = new OutOfOrder(b.cseq());
                        return old;
                    }
                }
            }
            for (Change c : changes) {
                cur.removeIf(b -> b.contact().equals(c.contact()));
                if (c.expiresSeconds() > 0) {
                    cur.add(new Binding(aor, c.contact(), c.q(), now + c.expiresSeconds() * 1000, callId, cseq,
                            c.source(), c.viaSource(), c.userAgent()));
                }
            }
            if (cur.size() > maxContacts) {
                cur.sort(Comparator.comparingLong(Binding::expiresAt));
                cur = new ArrayList<>(cur.subList(cur.size() - maxContacts, cur.size()));
            }
            cur.sort(BY_PREFERENCE);
            out[0] = new Applied(List.copyOf(cur));
            return cur.isEmpty() ? null : List.copyOf(cur);
        });
        if (out[0] instanceof Applied a) {
            notify(aor, a.bindings());
        }
        return out[0];
    }

    /** Removes every contact of {@code aor} ({@code Contact: *}, RFC 3261 §10.3 step 6), with the same CSeq rule. */
    public Outcome removeAll(String aor, String callId, long cseq, long now) {
        return removeAll(aor, callId, cseq, now, false);
    }

    /** As {@link #removeAll(String, String, long, long)}, with the retransmission rule of {@code register}. */
    public Outcome removeAll(String aor, String callId, long cseq, long now, boolean retransmission) {
        Outcome[] out = new Outcome[1];
        table.compute(aor, (k, old) -> {
            List<Binding> cur = old == null ? List.of() : live(old, now);
            for (Binding b : cur) {
                if (b.callId().equals(callId) && outOfOrder(cseq, b.cseq(), retransmission)) {
                    out[0] = new OutOfOrder(b.cseq());
                    return old;
                }
            }
            out[0] = new Applied(List.of());
            return null;
        });
        if (out[0] instanceof Applied a) {
            notify(aor, a.bindings());
        }
        return out[0];
    }

    private static boolean outOfOrder(long cseq, long stored, boolean retransmission) {
        return retransmission ? cseq < stored : cseq <= stored;
    }

    /** Loads bindings read back from storage at start (no listener is told). */
    public void restore(List<Binding> bindings, long now) {
        for (Binding b : bindings) {
            if (b.live(now)) {
                table.merge(b.aor(), List.of(b), (a, c) -> {
                    List<Binding> m = new ArrayList<>(a);
                    m.addAll(c);
                    m.sort(BY_PREFERENCE);
                    return List.copyOf(m);
                });
            }
        }
    }

    /** Drops expired contacts and tells listeners about each AOR that changed. */
    public void expire(long now) {
        for (Map.Entry<String, List<Binding>> e : table.entrySet()) {
            if (allLive(e.getValue(), now)) {
                continue; // the common case: nothing to do, no copy, no lock
            }
            String aor = e.getKey();
            List<Binding> after = new ArrayList<>();
            boolean[] changed = new boolean[1];
            table.computeIfPresent(aor, (k, old) -> {
                List<Binding> cur = live(old, now);
                changed[0] = cur.size() != old.size();
                after.addAll(cur);
                return cur.isEmpty() ? null : List.copyOf(cur);
            });
            if (changed[0]) {
                notify(aor, List.copyOf(after));
            }
        }
    }

    private static boolean allLive(List<Binding> bindings, long now) {
        for (int i = 0, n = bindings.size(); i < n; i++) { // runs over every AOR each sweep: no stream, no garbage
            if (!bindings.get(i).live(now)) {
                return false;
            }
        }
        return true;
    }

    /** Every live binding, for the admin API and diagnostics. */
    public List<Binding> all(long now) {
        List<Binding> out = new ArrayList<>();
        table.values().forEach(l -> l.stream().filter(b -> b.live(now)).forEach(out::add));
        out.sort(Comparator.comparing(Binding::aor));
        return out;
    }

    /** Number of AORs with at least one contact (expired ones may still count until the next sweep). */
    public int aorCount() {
        return table.size();
    }

    private static List<Binding> live(List<Binding> list, long now) {
        List<Binding> out = new ArrayList<>(list.size());
        for (Binding b : list) {
            if (b.live(now)) {
                out.add(b);
            }
        }
        return out;
    }

    private void notify(String aor, List<Binding> bindings) {
        for (Listener l : listeners) {
            l.changed(aor, bindings);
        }
    }
}
