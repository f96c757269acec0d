package org.peerline.gateway.sip;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ListeningPoint;
import javax.sip.SipProvider;

/**
 * The box's SIP sockets: one provider per local IP address, each with a listening point per transport.
 * Knows which hosts mean "this box" and which provider sends towards a destination.
 */
final class LocalEndpoints {
    /** A provider bound to one local IP, and its listening points by lowercase transport. */
    record Endpoint(String ip, SipProvider provider, Map<String, ListeningPoint> points) {
        ListeningPoint point(String transport) {
            return points.get(transport.toLowerCase(Locale.ROOT));
        }
    }

    private final List<Endpoint> endpoints;
    private final Set<String> localHosts;
    /** Addresses of other machines that forward to one of our sockets (a router's public address), as host:port. */
    private final Set<String> forwarded;
    private final Map<String, Endpoint> bySourceIp = new ConcurrentHashMap<>();

    LocalEndpoints(List<Endpoint> endpoints, Set<String> localHosts) {
        this(endpoints, localHosts, Set.of());
    }

    LocalEndpoints(List<Endpoint> endpoints, Set<String> localHosts, Set<String> forwarded) {
        this.endpoints = List.copyOf(endpoints);
        this.localHosts = Set.copyOf(localHosts);
        this.forwarded = Set.copyOf(forwarded);
    }

    /** How {@code host:port} is written in {@link #LocalEndpoints(List, Set, Set)}'s forwarded set. */
    static String hostPort(String host, int port) {
        return normalize(host) + ":" + (port <= 0 ? 5060 : port);
    }

    List<Endpoint> all() {
        return endpoints;
    }

    /** True if {@code host} (an IP literal or name, any case) addresses this box. */
    boolean isLocal(String host) {
        return host != null && localHosts.contains(normalize(host));
    }

    /**
     * True if {@code host:port} is one of this box's SIP sockets (port 0 means 5060), or an address a router
     * forwards to one.
     */
    boolean isLocal(String host, int port) {
        if (host != null && forwarded.contains(hostPort(host, port))) {
            return true;
        }
        if (!isLocal(host)) {
            return false;
        }
        int p = port <= 0 ? 5060 : port;
        for (Endpoint e : endpoints) {
            for (ListeningPoint lp : e.points().values()) {
                if (lp.getPort() == p) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The endpoint whose listening point received a message on {@code provider}. */
    Endpoint of(SipProvider provider) {
        for (Endpoint e : endpoints) {
            if (e.provider() == provider) {
                return e;
            }
        }
        return endpoints.get(0);
    }

    /**
     * The endpoint to send from towards {@code destIp} with {@code transport}: the one bound to the
     * source address the kernel would pick for that destination, else the first with that transport.
     */
    Endpoint towards(String destIp, String transport) {
        Endpoint e = bySourceIp.computeIfAbsent(destIp, this::routeSource);
        if (e != null && e.point(transport) != null) {
            return e;
        }
        for (Endpoint x : endpoints) {
            if (x.point(transport) != null) {
                return x;
            }
        }
        return endpoints.get(0);
    }

    private Endpoint routeSource(String destIp) {
        if (endpoints.size() == 1) {
            return endpoints.get(0);
        }
        String src = LocalAddress.towards(destIp); // null: unroutable or not an IP, the first endpoint then
        for (Endpoint e : endpoints) {
            if (e.ip().equals(src)) {
                return e;
            }
        }
        return endpoints.get(0);
    }

    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h;
    }
}
