package org.peerline.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** Which writer may change the zone when the overlay splits. */
class QuorumTest {
    private static Set<String> sites(String... s) {
        return new TreeSet<>(List.of(s));
    }

    @Test
    void aMajorityWritesAMinorityWaits() {
        assertNull(Quorum.refuse(sites(), sites("site-a")), "an empty zone: anyone starts it");
        assertNull(Quorum.refuse(sites("site-a", "site-b", "site-c"), sites("site-a", "site-b")), "2 of 3: a box died");
        assertNotNull(Quorum.refuse(sites("site-a", "site-b", "site-c"), sites("site-c")), "1 of 3: cut off");
        assertNull(Quorum.refuse(sites("site-a", "site-b"), sites("site-a", "site-b", "site-c")), "a box joined");
    }

    @Test
    void ofTwoEqualHalvesExactlyOneWrites() {
        Set<String> four = sites("site-a", "site-b", "site-c", "site-d");
        assertNull(Quorum.refuse(four, sites("site-a", "site-d")), "the half with the first site writes");
        assertNotNull(Quorum.refuse(four, sites("site-b", "site-c")), "the other half waits: no flapping");
        // two boxes, one gone: the one with the first site name removes the other; the other waits
        assertNull(Quorum.refuse(sites("site-a", "site-b"), sites("site-a")));
        assertNotNull(Quorum.refuse(sites("site-a", "site-b"), sites("site-b")));
    }

    @Test
    void theSitesAZoneShowsAreItsBoxesAddressRecords() throws Exception {
        Name zone = ZoneRecords.absolute("example.net");
        var records = ZoneRecords.of(zone, 30, List.of(Rfc2136PublisherIT.box("site-a", 1, true),
                Rfc2136PublisherIT.box("site-b", 2, false)));
        assertEquals(sites("site-a", "site-b"), Quorum.sites(zone, records));
    }
}
