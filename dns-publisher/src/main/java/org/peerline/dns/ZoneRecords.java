package org.peerline.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NAPTRRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The records Peerline publishes in a zone for its live boxes (RFC 3263's way for SIP clients to find a
 * domain's servers):
 * <ul>
 *   <li>per SIP domain inside the zone, NAPTR records naming the transports (SIPS over TCP, SIP over TCP, SIP
 *       over UDP, in that order) and, per transport, an SRV record for each box that serves the domain:
 *       {@code _sips._tcp.<domain>}, {@code _sip._tcp.<domain>}, {@code _sip._udp.<domain>};
 *   <li>per box, its A and AAAA records at {@code <site>.box.<zone>}, the SRV records' target;
 *   <li>for overlay bootstrap, {@code _p2psip._tcp.<zone>}: an SRV record per box that other boxes can connect
 *       to, pointing at its RELOAD port. (RELOAD's own {@code _reload-config._tcp} names a server of the
 *       overlay's configuration document, which a Peerline federation does not have: its boxes bootstrap
 *       from each other.)
 * </ul>
 * Which records are Peerline's is told by their place ({@link #managed}), so that the publisher never touches
 * anything else the customer keeps in the zone.
 */
public final class ZoneRecords {
    /** The label under which box host names live: {@code <site>.box.<zone>}. */
    public static final String BOX_LABEL = "box";
    /** The overlay bootstrap service: {@code _p2psip._tcp.<zone>}. */
    public static final String BOOTSTRAP = "_p2psip._tcp";
    private static final List<String> SERVICES = List.of("_sips._tcp", "_sip._tcp", "_sip._udp");

    private ZoneRecords() {
    }

    /** The host name of {@code site}'s box in {@code zone}. */
    public static Name boxName(Name zone, String site) {
        return name(site + "." + BOX_LABEL, zone);
    }

    /** The records for {@code boxes} in {@code zone}, with TTL {@code ttl} seconds, in a stable order. */
    public static List<Record> of(Name zone, long ttl, Collection<PublishedBox> boxes) {
        Set<Record> out = new LinkedHashSet<>();
        List<PublishedBox> sorted = boxes.stream().sorted(Comparator.comparing(PublishedBox::site)).toList();
        Set<String> domains = new java.util.TreeSet<>();
        for (PublishedBox b : sorted) {
            Name host = boxName(zone, b.site());
            for (InetAddress a : b.addresses()) {
                out.add(a instanceof Inet4Address ? new ARecord(host, DClass.IN, ttl, a) : new AAAARecord(host, DClass.IN, ttl, a));
            }
            if (b.overlayPort() > 0) {
                out.add(new SRVRecord(name(BOOTSTRAP, zone), DClass.IN, ttl, b.priority(), b.weight(), b.overlayPort(), host));
            }
            domains.addAll(b.domains());
        }
        for (String d : domains) {
            Name domain = absolute(d);
            if (!domain.subdomain(zone)) {
                continue; // another zone's: not this publisher's to write
            }
            int order = 10;
            for (String service : SERVICES) {
                Name srv = name(service, domain);
                boolean any = false;
                for (PublishedBox b : sorted) {
                    int port = service.equals("_sips._tcp") ? b.sipsPort() : service.equals("_sip._tcp") ? b.sipTcpPort()
                            : b.sipUdpPort();
                    if (port > 0 && b.domains().contains(d)) {
                        out.add(new SRVRecord(srv, DClass.IN, ttl, b.priority(), b.weight(), port, boxName(zone, b.site())));
                        any = true;
                    }
                }
                if (any) {
                    String naptrService = service.equals("_sips._tcp") ? "SIPS+D2T" : service.equals("_sip._tcp")
                            ? "SIP+D2T" : "SIP+D2U";
                    out.add(new NAPTRRecord(domain, DClass.IN, ttl, order, 10, "s", naptrService, "", srv));
                }
                order += 10;
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * True if {@code r} is one of the kinds of records Peerline writes in {@code zone}: A/AAAA under
     * {@code box.<zone>}, SRV of the SIP services and of the overlay bootstrap, NAPTR pointing at a SIP service.
     */
    public static boolean managed(Name zone, Record r) {
        Name boxes = name(BOX_LABEL, zone);
        int type = r.getType();
        if (type == Type.A || type == Type.AAAA) {
            return r.getName().subdomain(boxes) && !r.getName().equals(boxes);
        }
        if (type == Type.SRV) {
            String n = r.getName().toString(true);
            return n.equals(name(BOOTSTRAP, zone).toString(true))
                    || SERVICES.stream().anyMatch(s -> n.startsWith(s + ".")) && r.getName().subdomain(zone);
        }
        if (type == Type.NAPTR) {
            String replacement = ((NAPTRRecord) r).getReplacement().toString(true);
            return SERVICES.stream().anyMatch(s -> replacement.startsWith(s + "."));
        }
        return false;
    }

    static Name name(String relative, Name origin) {
        try {
            return Name.fromString(relative, origin);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + relative + "." + origin, e);
        }
    }

    /** {@code name} as an absolute DNS name. */
    public static Name absolute(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }
}
