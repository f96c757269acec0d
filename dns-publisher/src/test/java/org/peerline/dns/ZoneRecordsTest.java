package org.peerline.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/** Which records a set of boxes makes, and which records of a zone are Peerline's. */
class ZoneRecordsTest {
    private static final Name ZONE = ZoneRecords.absolute("example.net");

    @Test
    void aBoxWithBothAddressFamiliesGetsAAndAaaaAndOutsideDomainsAreLeftAlone() throws Exception {
        PublishedBox b = new PublishedBox("site-a", List.of(InetAddress.getByName("192.0.2.1"),
                InetAddress.getByName("2001:db8::1")), List.of("site-a.example.net", "elsewhere.example.org"), 5060, 0, 0,
                0, 20, 5);
        List<Record> r = ZoneRecords.of(ZONE, 15, List.of(b));
        assertTrue(r.stream().anyMatch(x -> x.getType() == Type.A), r.toString());
        assertTrue(r.stream().anyMatch(x -> x.getType() == Type.AAAA), r.toString());
        assertTrue(r.stream().allMatch(x -> x.getTTL() == 15), "one TTL for all");
        assertTrue(r.stream().noneMatch(x -> x.getName().toString().contains("example.org")), "not this zone's to write");
        assertEquals(1, r.stream().filter(x -> x.getType() == Type.NAPTR).count(), "UDP only: one NAPTR");
        SRVRecord srv = (SRVRecord) r.stream().filter(x -> x.getType() == Type.SRV).findFirst().orElseThrow();
        assertEquals(20, srv.getPriority());
        assertEquals(5, srv.getWeight());
        assertTrue(r.stream().allMatch(x -> ZoneRecords.managed(ZONE, x)), "everything written is recognised as Peerline's");
    }

    @Test
    void theCustomersOwnRecordsAreNotPeerlines() throws Exception {
        assertFalse(ZoneRecords.managed(ZONE, new ARecord(ZoneRecords.absolute("www.example.net"), DClass.IN, 60,
                InetAddress.getByName("192.0.2.80"))));
        assertFalse(ZoneRecords.managed(ZONE, new SRVRecord(ZoneRecords.absolute("_xmpp._tcp.example.net"), DClass.IN,
                60, 0, 0, 5222, ZoneRecords.absolute("chat.example.net"))));
        assertFalse(ZoneRecords.managed(ZONE, new ARecord(ZoneRecords.absolute("box.example.net"), DClass.IN, 60,
                InetAddress.getByName("192.0.2.81"))));
    }

    @Test
    void aSiteNameMustBeOneLabel() {
        assertThrows(IllegalArgumentException.class, () -> new PublishedBox("site.a", List.of(), List.of(), 0, 0, 0, 0, 0, 0));
    }
}
