package org.peerline.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("site.yaml");

    private static ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, yaml));
    }

    @Test
    void readsTheIssueExample() throws ConfigException {
        PeerlineConfig c = ConfigLoader.parse(FILE, """
                site:    { name: site-a, domain: site-a.example }
                data:    ./peerline-data
                sip:     { listen: [ "udp:127.0.0.1:5060", "tcp:127.0.0.1:5060" ] }
                admin:   { listen: "127.0.0.1:8080" }
                """);
        assertEquals("site-a.example", c.site().domain());
        assertEquals("site-a.example", c.sip().domain());
        assertEquals(2, c.sip().listen().size());
        assertEquals(8080, c.admin().port());
        assertEquals(Path.of("./peerline-data"), c.data());
    }

    @Test
    void emptyFileMeansDefaults() throws ConfigException {
        PeerlineConfig c = ConfigLoader.parse(FILE, "");
        assertEquals(PeerlineConfig.defaults().site(), c.site());
    }

    @Test
    void readsDurationsAndNestedSections() throws ConfigException {
        PeerlineConfig c = ConfigLoader.parse(FILE, """
                sip:
                  nonce-lifetime: 2m
                  security: { block-time: 1h, rate-limit: 0 }
                  trusted: [ "10.0.0.0/8" ]
                """);
        assertEquals(Duration.ofMinutes(2), c.sip().nonceLifetime());
        assertEquals(Duration.ofHours(1), c.sip().security().blockTime());
        assertEquals(0, c.sip().security().rateLimit());
        assertEquals(1, c.sip().trusted().size());
    }

    @Test
    void readsTheOverlaySectionAndItsDefaults() throws ConfigException {
        assertEquals(null, ConfigLoader.parse(FILE, "site: { name: a }\n").overlay(), "no section: no overlay");
        PeerlineConfig c = ConfigLoader.parse(FILE, """
                data: /var/lib/peerline
                overlay: { listen: "192.0.2.10:6084", bootstrap: [ "192.0.2.11:6084", "[2001:db8::1]:6084" ] }
                """);
        assertEquals("192.0.2.10", c.overlay().listen().host());
        assertEquals(6084, c.overlay().listen().port());
        assertEquals(2, c.overlay().bootstrap().size());
        assertEquals("2001:db8::1", c.overlay().bootstrap().get(1).host());
        assertEquals(Path.of("/var/lib/peerline/overlay/node"), c.overlay().credentials());
        assertEquals(null, c.overlay().capture(), "no capture unless asked for");
        assertEquals(Duration.ofHours(1), c.overlay().recordLifetime());
        assertEquals(null, c.overlay().sipUri(), "derived from sip.listen unless given");
        PeerlineConfig d = ConfigLoader.parse(FILE, "overlay: { record-lifetime: 6h, sip-uri: \"sip:192.0.2.10:5060;transport=tcp\" }\n");
        assertEquals(Duration.ofHours(6), d.overlay().recordLifetime());
        assertEquals("sip:192.0.2.10:5060;transport=tcp", d.overlay().sipUri());
        assertEquals(Path.of("/tmp/overlay.pcap"), ConfigLoader.parse(FILE, "overlay: { capture: /tmp/overlay.pcap }\n")
                .overlay().capture());
        assertEquals(Path.of("/etc/peerline/node"), ConfigLoader.parse(FILE, "overlay: { credentials: /etc/peerline/node }\n")
                .overlay().credentials());
    }

    @Test
    void overlayAddressesThatCannotWorkAreRefused() {
        assertTrue(fails("overlay: { listen: \"0.0.0.0:6084\" }\n").getMessage().contains("not the wildcard"));
        assertTrue(fails("overlay:\n  listen: \"127.0.0.1:6084\"\n  bootstrap: [ \"127.0.0.1:6084\" ]\n").getMessage()
                .contains("own address"));
        assertTrue(fails("overlay: { bootstrap: [ \"127.0.0.1:0\" ] }\n").getMessage().contains("not an address to dial"));
        assertTrue(fails("overlay: { bootstrap: [ \"nowhere\" ] }\n").getMessage().contains("host:port"));
        assertTrue(fails("overlay: { record-lifetime: 10s }\n").getMessage().contains("between 60s and 7 days"));
        assertTrue(fails("overlay: { sip-uri: \"alice@example\" }\n").getMessage().contains("SIP URI"));
        ConfigException e = fails("overlay:\n  listen: \"127.0.0.1:6084\"\n  bootstrp: [ ]\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("unknown key 'overlay.bootstrp'"), e.getMessage());
    }

    @Test
    void unknownKeyNamesFileLineAndKey() {
        ConfigException e = fails("""
                site: { name: a, domain: a.example }
                sip:
                  lisen: [ "udp:127.0.0.1:5060" ]
                """);
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("site.yaml:3: unknown key 'sip.lisen'"), e.getMessage());
    }

    @Test
    void badValuesAreReportedAtTheirLine() {
        assertEquals(2, fails("site: { name: a }\nsip: { listen: [ \"sctp:1.2.3.4:5060\" ] }\n").line());
        assertTrue(fails("sip:\n  listen: [ \"udp:1.2.3.4:99999\" ]\n").getMessage().contains("port out of range"));
        assertEquals(3, fails("sip:\n  registrar:\n    min-expires: 0\n").line());
        assertTrue(fails("site: { domain: 'not a domain' }\n").getMessage().contains("DNS domain"));
        assertTrue(fails("sip:\n  nonce-lifetime: soon\n").getMessage().contains("duration"));
        assertTrue(fails("sip:\n  trusted: [ \"example.com\" ]\n").getMessage().contains("not an IP address"));
        assertTrue(fails("log: { level: loud }\n").getMessage().contains("log level"));
    }

    @Test
    void inconsistentBoundsAndDuplicatesAreRefused() {
        assertTrue(fails("sip:\n  registrar: { min-expires: 600, max-expires: 60 }\n").getMessage()
                .contains("min-expires"));
        assertTrue(fails("site: { name: a }\nsite: { name: b }\n").getMessage().contains("duplicate"));
        assertTrue(fails("sip: { listen: [ \"udp:127.0.0.1:5060\", \"udp:127.0.0.1:5060\" ] }\n").getMessage()
                .contains("twice"));
    }

    @Test
    void brokenYamlIsReportedWithLine() {
        ConfigException e = fails("site:\n  name: [unclosed\n");
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
        assertTrue(e.line() > 0);
    }

    @Test
    void relaySection() throws Exception {
        var byDefault = ConfigLoader.parse(FILE, "site: { name: a }\n").relay();
        assertTrue(byDefault != null && byDefault.portMin() == 30000 && byDefault.portMax() == 30999,
                "the relay is on unless turned off");
        assertEquals(null, ConfigLoader.parse(FILE, "relay: { enabled: false }\n").relay());
        var r = ConfigLoader.parse(FILE, "relay: { address: 192.0.2.10, ports: 40000-40999, idle-timeout: 2m }\n").relay();
        assertEquals("192.0.2.10", r.address());
        assertEquals("192.0.2.10", r.wanAddress(), "one side unless told otherwise");
        assertEquals(40000, r.portMin());
        assertEquals(40999, r.portMax());
        assertEquals(120, r.idleTimeout().toSeconds());
        assertEquals(30000, ConfigLoader.parse(FILE, "relay: { address: 192.0.2.10 }\n").relay().portMin());
        var auto = ConfigLoader.parse(FILE, "sip: { listen: [ \"udp:10.1.2.3:5060\" ] }\nrelay: { ports: 30000-30999 }\n")
                .relay();
        assertEquals("10.1.2.3", auto.address(), "auto: the SIP address the phones already reach");
        var twoSides = ConfigLoader.parse(FILE, "relay: { address: 192.168.1.1, wan-address: 198.51.100.7 }\n").relay();
        assertEquals("198.51.100.7", twoSides.wanAddress());
        assertEquals("0.0.0.0", twoSides.bindAddress(), "two sides: each packet leaves by the interface facing its way");
        assertTrue(fails("relay: { address: 0.0.0.0 }\n").getMessage().contains("IP address phones send media to"));
        assertTrue(fails("relay: { enabled: maybe }\n").getMessage().contains("expected true or false"));
        assertTrue(fails("relay: { address: 192.0.2.10, wan-address: nat.example }\n").getMessage()
                .contains("other boxes send media to"));
        assertTrue(fails("relay: { address: 192.0.2.10, ports: 30001-30999 }\n").getMessage().contains("must be even"));
        assertTrue(fails("relay: { address: 192.0.2.10, ports: lots }\n").getMessage().contains("a range like"));
        assertTrue(fails("relay: { address: 192.0.2.10, port: 1 }\n").getMessage().contains("port"));
        assertTrue(fails("overlay: { reachable: false }\n").getMessage().contains("needs an 'overlay.bootstrap'"));
    }

    @Test
    void dnsSection() throws Exception {
        assertEquals(null, ConfigLoader.parse(FILE, "site: { name: a }\n").dns(), "no DNS unless asked for");
        var embedded = ConfigLoader.parse(FILE, "site: { name: a, domain: site-a.example.net }\ndns: { zone: example.net }\n")
                .dns();
        assertTrue(embedded.embedded(), "embedded by default");
        assertEquals("example.net", embedded.zone());
        assertEquals(5353, embedded.listen().port());
        assertEquals(30, embedded.ttl().toSeconds());
        assertEquals("site-a.example", ConfigLoader.parse(FILE, "site: { name: a, domain: site-a.example }\ndns: { }\n")
                .dns().zone(), "the zone defaults to the site's domain");
        var rfc = ConfigLoader.parse(FILE, """
                dns:
                  mode: rfc2136
                  zone: example.net
                  server: "192.0.2.53:53"
                  ttl: 20s
                  tsig: { name: peerline, secret: "c2VjcmV0IGtleSBvZiB0aGUgdGVzdCBkbnMgcHVibGlzaGVyIQ==" }
                """).dns();
        assertTrue(!rfc.embedded() && rfc.server().host().equals("192.0.2.53") && rfc.tsig().algorithm().equals("hmac-sha256"));
        assertTrue(!rfc.tsig().toString().contains("c2Vj"), "the secret is not printed");
        assertTrue(fails("dns: { mode: rfc2136, zone: example.net }\n").getMessage().contains("needs 'dns.tsig'"));
        assertTrue(fails("dns: { mode: bind }\n").getMessage().contains("embedded or rfc2136"));
        ConfigException badSecret = fails("dns:\n  mode: rfc2136\n  tsig: { name: k, secret: \"not base64!\" }\n");
        assertTrue(badSecret.getMessage().contains("base64") && badSecret.getMessage().contains(":3"), badSecret.getMessage());
        assertTrue(fails("dns: { tsig: { name: k, algorithm: hmac-md5, secret: \"c2VjcmV0IGtleSBvZiB0aGU=\" } }\n")
                .getMessage().contains("hmac-sha256"));
        assertTrue(fails("dns: { ttl: 1s }\n").getMessage().contains("between 5s and 1h"));
        assertTrue(fails("dns: { zone: \"not a zone\" }\n").getMessage().contains("a DNS zone"));
        assertTrue(fails("dns: { zonee: example.net }\n").getMessage().contains("zonee"));
    }
}
