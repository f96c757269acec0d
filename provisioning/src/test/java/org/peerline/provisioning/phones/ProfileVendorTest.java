package org.peerline.provisioning.phones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.peerline.provisioning.api.Vendor;

class ProfileVendorTest {
    @Test
    void shouldParseVendorIdsInAnyCase() {
        assertEquals(Vendor.YEALINK, Vendor.parse("yealink"));
        assertEquals(Vendor.POLYCOM, Vendor.parse("Polycom"));
        assertEquals(Vendor.GRANDSTREAM, Vendor.parse("GRANDSTREAM"));
        assertEquals(Vendor.CISCO, Vendor.parse("cisco"));
        assertEquals("grandstream", Vendor.GRANDSTREAM.id());
    }

    @Test
    void shouldListTheVendorsWhenTheIdIsUnknown() {
        assertEquals("vendor: 'snom' is not one of yealink, polycom, grandstream, cisco",
                assertThrows(IllegalArgumentException.class, () -> Vendor.parse("snom")).getMessage());
    }
}
