package org.peerline.dns;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * When a writer may change the zone: only when it sees a majority of the boxes the zone shows now. If the
 * overlay splits in two, each half has a responsible peer for the zone's entries, and both would write their
 * half's boxes; DNS would flap between the halves every round. With this rule only the half that sees more
 * than half of the published boxes writes (a half of exactly half writes only if it has the box whose site
 * name sorts first, so that of two equal halves exactly one writes); the other waits, and DNS keeps
 * pointing at boxes some of which it cannot see, rather than flapping. When the halves join again there is
 * one responsible peer, and it writes the whole federation. A zone that shows no box yet has no quorum to
 * keep: any writer may start it.
 */
public final class Quorum {
    private Quorum() {
    }

    /** The sites whose boxes {@code records} show (their A/AAAA records under {@code box.<zone>}). */
    public static Set<String> sites(Name zone, Collection<Record> records) {
        Set<String> out = new TreeSet<>();
        for (Record r : records) {
            if ((r.getType() == Type.A || r.getType() == Type.AAAA) && ZoneRecords.managed(zone, r)) {
                out.add(r.getName().getLabelString(0));
            }
        }
        return out;
    }

    /**
     * Null if a writer that sees the boxes of {@code live} may replace {@code published} (the sites the zone
     * shows now) with them, else why not.
     */
    public static String refuse(Set<String> published, Set<String> live) {
        if (published.isEmpty()) {
            return null;
        }
        long seen = published.stream().filter(live::contains).count();
        String first = published.iterator().next();
        boolean majority = seen * 2 > published.size() || seen * 2 == published.size() && live.contains(first);
        return majority ? null : "this box sees " + seen + " of the " + published.size() + " boxes the zone shows "
                + published + " (" + List.copyOf(live) + " live): it may be cut off from the others, and leaves the"
                + " zone to the side that sees the most";
    }
}
