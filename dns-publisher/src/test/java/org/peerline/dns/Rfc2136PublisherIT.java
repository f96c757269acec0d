package org.peerline.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TSIG;

/** RFC 2136 updates with TSIG into a real BIND 9, read back with dig. */
@Timeout(120)
class Rfc2136PublisherIT {
    private static final String ZONE = "example.net";
    private static final Name Z = ZoneRecords.absolute(ZONE);

    @TempDir
    Path dir;
    private DnsTools.Bind bind;

    @BeforeEach
    void start() throws Exception {
        DnsTools.require("/usr/bin/dig", "dnsutils");
        bind = new DnsTools.Bind(dir, ZONE);
    }

    @AfterEach
    void stop() throws Exception {
        if (bind != null) {
            bind.close();
        }
    }

    static PublishedBox box(String site, int last, boolean reachable) throws Exception {
        return new PublishedBox(site, List.of(InetAddress.getByName("192.0.2." + last)),
                List.of(site + "." + ZONE), 5060, 5060, 5061, reachable ? 6084 : 0, 10, 10);
    }

    private Rfc2136Publisher publisher(String secret) {
        return new Rfc2136Publisher(Z, new InetSocketAddress("127.0.0.1", bind.port),
                new TSIG(TSIG.HMAC_SHA256, DnsTools.Bind.KEY, secret), Duration.ofSeconds(5));
    }

    private List<String> dig(String type, String name) throws Exception {
        return DnsTools.dig(bind.port, type, name);
    }

    @Test
    void threeBoxesAppearAndADeadOneGoesWithOnlyItsRecords() throws Exception {
        Rfc2136Publisher p = publisher(DnsTools.Bind.SECRET);
        List<Record> three = ZoneRecords.of(Z, 30, List.of(box("site-a", 1, true), box("site-b", 2, true), box("site-c", 3, false)));
        Rfc2136Publisher.Result first = p.publish(three);
        assertEquals(three.size(), first.added());
        assertEquals(List.of("10 10 5060 site-b.box.example.net."), dig("SRV", "_sip._udp.site-b.example.net"));
        assertEquals(List.of("10 10 5060 site-c.box.example.net."), dig("SRV", "_sip._tcp.site-c.example.net"));
        assertEquals(List.of("10 10 5061 site-a.box.example.net."), dig("SRV", "_sips._tcp.site-a.example.net"));
        assertEquals(List.of("10 10 \"s\" \"SIPS+D2T\" \"\" _sips._tcp.site-a.example.net.",
                "20 10 \"s\" \"SIP+D2T\" \"\" _sip._tcp.site-a.example.net.",
                "30 10 \"s\" \"SIP+D2U\" \"\" _sip._udp.site-a.example.net."), dig("NAPTR", "site-a.example.net"));
        assertEquals(List.of("192.0.2.3"), dig("A", "site-c.box.example.net"));
        assertEquals(List.of("10 10 6084 site-a.box.example.net.", "10 10 6084 site-b.box.example.net."),
                dig("SRV", "_p2psip._tcp.example.net"), "boxes that cannot be connected to are no bootstrap");

        List<Record> two = ZoneRecords.of(Z, 30, List.of(box("site-a", 1, true), box("site-b", 2, true)));
        Rfc2136Publisher.Result second = p.publish(two);
        assertEquals(0, second.added(), "nothing of the live boxes is rewritten");
        assertEquals(three.size() - two.size(), second.deleted(), "only box C's records go");
        assertEquals(List.of(), dig("A", "site-c.box.example.net"));
        assertEquals(List.of(), dig("SRV", "_sip._udp.site-c.example.net"));
        assertEquals(List.of(), dig("NAPTR", "site-c.example.net"));
        assertEquals(List.of("192.0.2.2"), dig("A", "site-b.box.example.net"));
        assertEquals(List.of("192.0.2.80"), dig("A", "www.example.net"), "the customer's own record is untouched");
        assertEquals(new Rfc2136Publisher.Result(0, 0, second.serial() + 1), p.publish(two), "no change, no update");
    }

    @Test
    void aWrongKeyIsAClearErrorAndChangesNothing() throws Exception {
        publisher(DnsTools.Bind.SECRET).publish(ZoneRecords.of(Z, 30, List.of(box("site-a", 1, true))));
        Rfc2136Publisher wrong = publisher("d3Jvbmcgc2VjcmV0IG9mIGFub3RoZXIga2V5IGVudGlyZWx5IQ==");
        DnsPublishException e = assertThrows(DnsPublishException.class,
                () -> wrong.publish(ZoneRecords.of(Z, 30, List.of(box("site-b", 2, true)))));
        assertTrue(e.getMessage().contains("dns.tsig"), e.getMessage());
        System.out.println("dns: with a wrong key: " + e.getMessage());
        assertEquals(List.of("192.0.2.1"), dig("A", "site-a.box.example.net"));
        assertEquals(List.of(), dig("A", "site-b.box.example.net"), "no partial zone");
    }

    @Test
    void aWriterThatReadTheZoneBeforeAnotherWroteIsTurnedAwayWhole() throws Exception {
        Rfc2136Publisher slow = publisher(DnsTools.Bind.SECRET);
        Rfc2136Publisher fast = publisher(DnsTools.Bind.SECRET);
        List<Record> stale = slow.read();
        fast.publish(ZoneRecords.of(Z, 30, List.of(box("site-a", 1, true))));
        List<Record> abc = ZoneRecords.of(Z, 30, List.of(box("site-a", 1, true), box("site-b", 2, true), box("site-c", 3, true)));
        assertThrows(Rfc2136Publisher.Conflict.class, () -> slow.update(stale, abc));
        assertEquals(List.of(), dig("A", "site-b.box.example.net"), "nothing of the refused update was applied");
        assertEquals(List.of("192.0.2.1"), dig("A", "site-a.box.example.net"));
        slow.publish(abc); // reads again, and goes through
        assertEquals(List.of("192.0.2.2"), dig("A", "site-b.box.example.net"));
    }

    @Test
    void aZoneTheServerDoesNotServeIsAClearError() throws Exception {
        Rfc2136Publisher p = new Rfc2136Publisher(ZoneRecords.absolute("other.net"), new InetSocketAddress("127.0.0.1",
                bind.port), new TSIG(TSIG.HMAC_SHA256, DnsTools.Bind.KEY, DnsTools.Bind.SECRET), Duration.ofSeconds(5));
        DnsPublishException e = assertThrows(DnsPublishException.class, () -> p.publish(List.of()));
        System.out.println("dns: for a zone the server does not serve: " + e.getMessage());
        assertTrue(e.getMessage().contains("other.net") && e.getMessage().contains("dns.zone"), e.getMessage());
    }
}
