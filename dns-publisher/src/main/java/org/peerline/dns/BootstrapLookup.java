package org.peerline.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Finds boxes to join the overlay through from DNS alone: the {@code _p2psip._tcp.<zone>} SRV records the
 * boxes publish ({@link ZoneRecords#BOOTSTRAP}), in SRV order (priority, then weight, RFC 2782), each target
 * resolved to its addresses.
 */
public final class BootstrapLookup {
    private BootstrapLookup() {
    }

    /**
     * The overlay addresses the zone names now; empty if it names none or cannot be resolved.
     *
     * @param server the DNS server to ask, or null for the system's resolvers ({@code /etc/resolv.conf})
     */
    public static List<InetSocketAddress> resolve(String zone, InetSocketAddress server, Duration timeout) {
        Resolver resolver;
        if (server != null) {
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(timeout);
            resolver = simple;
        } else {
            ExtendedResolver system = new ExtendedResolver();
            system.setTimeout(timeout);
            resolver = system;
        }
        Name name = ZoneRecords.name(ZoneRecords.BOOTSTRAP, ZoneRecords.absolute(zone));
        List<SRVRecord> srvs = new ArrayList<>();
        for (Record r : lookup(name, Type.SRV, resolver)) {
            srvs.add((SRVRecord) r);
        }
        srvs.sort(Comparator.comparingInt(SRVRecord::getPriority).thenComparing(Comparator.comparingInt(SRVRecord::getWeight)
                .reversed()));
        List<InetSocketAddress> out = new ArrayList<>();
        for (SRVRecord srv : srvs) {
            for (int type : new int[] {Type.A, Type.AAAA}) {
                for (Record r : lookup(srv.getTarget(), type, resolver)) {
                    InetAddress a = r instanceof ARecord ar ? ar.getAddress() : ((AAAARecord) r).getAddress();
                    out.add(new InetSocketAddress(a, srv.getPort()));
                }
            }
        }
        return out;
    }

    private static Record[] lookup(Name name, int type, Resolver resolver) {
        Lookup l = new Lookup(name, type);
        l.setResolver(resolver);
        l.setCache(null); // boxes come and go: always ask
        Record[] r = l.run();
        return r == null ? new Record[0] : r;
    }
}
