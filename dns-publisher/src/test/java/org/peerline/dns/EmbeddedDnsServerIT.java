package org.peerline.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Name;

/** The embedded server answers dig over UDP and TCP as an authoritative server should. */
@Timeout(60)
class EmbeddedDnsServerIT {
    private static final Name Z = ZoneRecords.absolute("example.net");

    @Test
    void digReadsThePublishedRecordsOverUdpAndTcp() throws Exception {
        DnsTools.require("/usr/bin/dig", "dnsutils");
        try (EmbeddedDnsServer dns = EmbeddedDnsServer.start(new InetSocketAddress("127.0.0.1", 0), Z, 30)) {
            int port = dns.address().getPort();
            dns.serve(ZoneRecords.of(Z, 30, List.of(Rfc2136PublisherIT.box("site-a", 1, true),
                    Rfc2136PublisherIT.box("site-b", 2, false))));
            for (String transport : List.of("+notcp", "+tcp")) {
                assertEquals(List.of("10 10 5060 site-a.box.example.net."),
                        DnsTools.dig(port, "SRV", "_sip._udp.site-a.example.net", transport), transport);
                assertEquals(List.of("192.0.2.2"), DnsTools.dig(port, "A", "site-b.box.example.net", transport));
                assertEquals(3, DnsTools.dig(port, "NAPTR", "site-b.example.net", transport).size());
                assertEquals(List.of("10 10 6084 site-a.box.example.net."),
                        DnsTools.dig(port, "SRV", "_p2psip._tcp.example.net", transport));
            }
            String srv = DnsTools.digFull(port, "SRV", "_sip._udp.site-a.example.net");
            assertTrue(srv.contains("flags: qr aa")
                    && srv.matches("(?s).*ADDITIONAL SECTION:\\s+site-a\\.box\\.example\\.net\\.\\s+30\\s+IN\\s+A\\s+192\\.0\\.2\\.1.*"),
                    "authoritative, with the target's address as additional data:\n" + srv);
            String missing = DnsTools.digFull(port, "A", "nobody.box.example.net");
            assertTrue(missing.contains("status: NXDOMAIN") && missing.contains("IN\tSOA"), missing);
            String empty = DnsTools.digFull(port, "AAAA", "site-a.box.example.net");
            assertTrue(empty.contains("status: NOERROR") && empty.contains("ANSWER: 0") && empty.contains("IN\tSOA"), empty);
            String outside = DnsTools.digFull(port, "A", "example.org");
            assertTrue(outside.contains("status: REFUSED"), outside);
            String transfer = DnsTools.digFull(port, "AXFR", "example.net");
            assertTrue(transfer.contains("Transfer failed") || transfer.contains("REFUSED"), transfer);

            assertEquals(List.of(new InetSocketAddress("192.0.2.1", 6084)), BootstrapLookup.resolve("example.net",
                    dns.address(), java.time.Duration.ofSeconds(2)), "a new box finds the bootstrap boxes from DNS alone");

            long before = dns.serial();
            dns.serve(ZoneRecords.of(Z, 30, List.of(Rfc2136PublisherIT.box("site-a", 1, true))));
            assertTrue(dns.serial() > before, "a new serial");
            assertEquals(List.of(), DnsTools.dig(port, "A", "site-b.box.example.net"), "a box that left is gone");
        }
    }
}
