package org.peerline.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * A live box as DNS shows it.
 *
 * @param site        the box's site name: its host name is {@code <site>.box.<zone>}
 * @param addresses   where it is reached from outside (A and AAAA records)
 * @param domains     the SIP domains it serves (NAPTR and SRV records are published for those inside the zone)
 * @param sipUdpPort  its SIP port over UDP for outside clients, 0 for none
 * @param sipTcpPort  its SIP port over TCP, 0 for none
 * @param sipsPort    its SIP-over-TLS port (the federation's, mutual TLS), 0 for none
 * @param overlayPort its overlay (RELOAD) port, 0 when other boxes cannot connect to it (not a bootstrap)
 * @param priority    SRV priority (lower is tried first)
 * @param weight      SRV weight among boxes of equal priority
 */
public record PublishedBox(String site, List<InetAddress> addresses, List<String> domains, int sipUdpPort, int sipTcpPort,
                           int sipsPort, int overlayPort, int priority, int weight) {
    public PublishedBox {
        addresses = List.copyOf(addresses);
        domains = List.copyOf(domains);
        if (!site.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("a site name must be one DNS label (letters, digits, '-'): " + site);
        }
    }
}
