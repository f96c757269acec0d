package org.peerline.overlay.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.peerline.overlay.api.NodeId;
import org.peerline.overlay.message.StorageBodies;
import org.peerline.overlay.node.AccessControl;

/** Who may write a SIP-REGISTRATION, claim an extension, offer a relay, or show a box in DNS. */
class AccessPolicyTest {
    private static final NodeId BOX_B = NodeId.parse("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    private static final NodeId BOX_C = NodeId.parse("0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c");
    private static final List<String> B_DOMAINS = List.of("site-b.example");
    private static final AccessControl POLICY = SipRegistration.policy(GlobalExtension.policy(RelayOffers.policy(
            DnsEntries.policy((resource, name, kind, value, signer, domains) -> "unknown kind " + kind))));

    private static String claim(String extension, StorageBodies.Value value, NodeId signer) {
        return POLICY.check(GlobalExtension.resourceId(extension), GlobalExtension.resourceName(extension),
                GlobalExtension.KIND, value, signer, B_DOMAINS);
    }

    @Test
    void aBoxClaimsExtensionsForItsOwnDomainsOnly() {
        assertNull(claim("2002", GlobalExtension.entry(BOX_B, "sip:bob@site-b.example"), BOX_B));
        assertTrue(claim("2002", GlobalExtension.entry(BOX_B, "sip:carol@site-c.example"), BOX_B)
                .contains("does not name site-c.example"));
        assertEquals("the dictionary key must be the signer's Node-ID",
                claim("2002", GlobalExtension.entry(BOX_C, "sip:bob@site-b.example"), BOX_B),
                "box B cannot write (or erase) box C's claim");
        assertNull(claim("2002", GlobalExtension.entry(BOX_B, "").deleted(), BOX_B), "a box withdraws its own claim");
        assertTrue(POLICY.check(GlobalExtension.resourceId("2003"), GlobalExtension.resourceName("2002"),
                GlobalExtension.KIND, GlobalExtension.entry(BOX_B, "sip:bob@site-b.example"), BOX_B, B_DOMAINS)
                .contains("does not hash"), "the name must be the resource's");
        assertTrue(POLICY.check(GlobalExtension.resourceId("2002"), null, GlobalExtension.KIND,
                GlobalExtension.entry(BOX_B, "sip:bob@site-b.example"), BOX_B, B_DOMAINS).contains("must name"));
    }

    @Test
    void aBoxPublishesRegistrationsOfItsOwnDomainsOnly() {
        String aor = "sip:bob@site-b.example";
        assertNull(POLICY.check(SipRegistration.resourceId(aor), SipRegistration.resourceName(aor), SipRegistration.KIND,
                SipRegistration.entry(BOX_B, "sip:192.0.2.2:5061;transport=tls"), BOX_B, B_DOMAINS));
        String other = "sip:carol@site-c.example";
        assertTrue(POLICY.check(SipRegistration.resourceId(other), SipRegistration.resourceName(other),
                SipRegistration.KIND, SipRegistration.entry(BOX_B, "sip:192.0.2.2:5061;transport=tls"), BOX_B, B_DOMAINS)
                .contains("does not name site-c.example"));
        assertEquals("unknown kind 7", POLICY.check(new byte[16], "x", 7, SipRegistration.entry(BOX_B, "x"), BOX_B,
                B_DOMAINS), "other kinds go to the next policy");
    }

    @Test
    void aBoxOffersOnlyItsOwnRelayAndOnlyUnderTheRelaysResource() throws Exception {
        var offer = new org.peerline.overlay.api.Overlay.RelayOffer(BOX_B, "sip:192.0.2.2:5061;transport=tls", true, 500, 3, "192.0.2.2:3478", "site-b");
        assertEquals(offer, RelayOffers.offerOf(BOX_B, RelayOffers.entry(offer).data()), "read back, site included");
        assertNull(POLICY.check(RelayOffers.resourceId(), RelayOffers.RESOURCE_NAME, RelayOffers.KIND,
                RelayOffers.entry(offer), BOX_B, B_DOMAINS));
        assertEquals("the dictionary key must be the signer's Node-ID", POLICY.check(RelayOffers.resourceId(),
                RelayOffers.RESOURCE_NAME, RelayOffers.KIND, RelayOffers.entry(offer), BOX_C, B_DOMAINS),
                "box C cannot offer (or withdraw) box B's relay");
        assertTrue(POLICY.check(new byte[16], RelayOffers.RESOURCE_NAME, RelayOffers.KIND, RelayOffers.entry(offer),
                BOX_B, B_DOMAINS).contains("only"), "offers live under one resource");
        assertTrue(POLICY.check(RelayOffers.resourceId(), RelayOffers.RESOURCE_NAME, RelayOffers.KIND,
                StorageBodies.Value.dictionaryEntry(BOX_B.toBytes(), new byte[] {9}), BOX_B, B_DOMAINS)
                .startsWith("not a relay offer"));
    }

    @Test
    void aBoxShowsOnlyItselfInDnsAndOnlyForItsOwnDomains() throws Exception {
        var entry = new org.peerline.overlay.api.Overlay.DnsEntry(BOX_B, "site-b", List.of("192.0.2.2"),
                List.of("site-b.example"), 5060, 5060, 5061, 6084, 10, 10);
        String zone = "example";
        assertEquals(entry, DnsEntries.entryOf(BOX_B, DnsEntries.entry(entry).data()), "round trip");
        assertNull(POLICY.check(DnsEntries.resourceId(zone), DnsEntries.resourceName(zone), DnsEntries.KIND,
                DnsEntries.entry(entry), BOX_B, B_DOMAINS));
        assertEquals("the dictionary key must be the signer's Node-ID", POLICY.check(DnsEntries.resourceId(zone),
                DnsEntries.resourceName(zone), DnsEntries.KIND, DnsEntries.entry(entry), BOX_C, B_DOMAINS));
        var foreign = new org.peerline.overlay.api.Overlay.DnsEntry(BOX_B, "site-b", List.of("192.0.2.2"),
                List.of("site-c.example"), 5060, 5060, 5061, 6084, 10, 10);
        assertTrue(POLICY.check(DnsEntries.resourceId(zone), DnsEntries.resourceName(zone), DnsEntries.KIND,
                DnsEntries.entry(foreign), BOX_B, B_DOMAINS).contains("does not name site-c.example"),
                "box B cannot point another site's domain at itself");
        assertTrue(POLICY.check(new byte[16], DnsEntries.resourceName(zone), DnsEntries.KIND, DnsEntries.entry(entry),
                BOX_B, B_DOMAINS).contains("dns:<zone>"));
        assertNull(POLICY.check(DnsEntries.resourceId(zone), DnsEntries.resourceName(zone), DnsEntries.KIND,
                DnsEntries.entry(entry).deleted(), BOX_B, B_DOMAINS), "a box deletes its own entry when it stops");
    }
}
