package org.peerline.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first-boot reader of the NoCloud seed: user-data, meta-data, network-config v1 and v2, the site rewrite. */
class SeedTest {
    private static final List<String> NICS = List.of("ens3");

    @TempDir
    Path dir;

    @Test
    void readsThePeerlineMapAndTheHostname() throws Exception {
        Seed s = Seed.parse("instance-id: i-1\nlocal-hostname: from-meta\n", """
                #cloud-config
                hostname: box-a
                peerline:
                  site: site-a
                  domain: Site-A.example
                  admin_password: 12345678
                users: [ default ]
                """, null, NICS);
        assertEquals("box-a", s.hostname());
        assertEquals("site-a", s.site());
        assertEquals("site-a.example", s.domain());
        assertEquals("12345678", s.adminPassword(), "an unquoted number is still a password");
        assertTrue(s.network().isEmpty());
        assertTrue(s.notes().get(0).contains("'users' ignored"), s.notes().toString());
    }

    @Test
    void aSeedWithoutUserDataOnlyNamesTheHost() throws Exception {
        Seed s = Seed.parse("local-hostname: pve-vm\n", null, null, NICS);
        assertEquals("pve-vm", s.hostname());
        assertNull(s.site());
        assertNull(s.adminPassword());
    }

    @Test
    void refusesTyposBadValuesAndShortPasswords() {
        SeedException typo = assertThrows(SeedException.class, () -> Seed.parse(null,
                "#cloud-config\npeerline:\n  admin_pasword: secret-secret\n", null, NICS));
        assertTrue(typo.getMessage().contains("unknown key 'peerline.admin_pasword'"), typo.getMessage());
        SeedException site = assertThrows(SeedException.class, () -> Seed.parse(null,
                "#cloud-config\npeerline: { site: 'a b' }\n", null, NICS));
        assertTrue(site.getMessage().startsWith("user-data: 'peerline.site'"), site.getMessage());
        SeedException pw = assertThrows(SeedException.class, () -> Seed.parse(null,
                "#cloud-config\npeerline: { admin_password: short }\n", null, NICS));
        assertTrue(pw.getMessage().contains("8 to 128"), pw.getMessage());
        assertThrows(SeedException.class, () -> Seed.parse(null, "#cloud-config\npeerline: [ 1 ]\n", null, NICS));
        assertThrows(SeedException.class, () -> Seed.parse(null, "#cloud-config\npeerline: {a: 1, a: 2}\n", null,
                NICS));
    }

    @Test
    void aShellScriptAsUserDataIsIgnoredWithANote() throws Exception {
        Seed s = Seed.parse(null, "#!/bin/sh\necho hi\n", null, NICS);
        assertNull(s.site());
        assertTrue(s.notes().get(0).contains("not a #cloud-config"));
    }

    @Test
    void networkConfigVersion2() throws Exception {
        Seed s = Seed.parse(null, null, """
                network:
                  version: 2
                  ethernets:
                    eth0:
                      addresses: [ 192.0.2.10/24, "2001:db8::10/64" ]
                      gateway4: 192.0.2.1
                      routes:
                        - { to: 10.0.0.0/8, via: 192.0.2.254, metric: 100 }
                      nameservers: { addresses: [ 192.0.2.53 ], search: [ example.net ] }
                      mtu: 1400
                """, NICS);
        assertEquals(1, s.network().size());
        assertEquals("10-cidata-00-eth0.network", s.network().get(0).name());
        String f = s.network().get(0).content();
        assertTrue(f.contains("Name=ens3\n"), "eth0 is not a name this box has: its one Ethernet interface\n" + f);
        assertTrue(f.contains("DHCP=no\nAddress=192.0.2.10/24\nAddress=2001:db8::10/64\nGateway=192.0.2.1\n"
                + "DNS=192.0.2.53\nDomains=example.net\n"), f);
        assertTrue(f.contains("[Route]\nDestination=10.0.0.0/8\nGateway=192.0.2.254\nMetric=100\n"), f);
        assertTrue(f.contains("[Link]\nMTUBytes=1400\n"), f);
    }

    @Test
    void networkConfigVersion2MatchesByMacAndKeepsDhcp() throws Exception {
        Seed s = Seed.parse(null, null, """
                version: 2
                ethernets:
                  lan:
                    match: { macaddress: "52:54:00:AB:CD:EF" }
                    dhcp4: true
                """, NICS);
        String f = s.network().get(0).content();
        assertTrue(f.contains("MACAddress=52:54:00:ab:cd:ef\n"), f);
        assertTrue(f.contains("DHCP=ipv4\n"), f);
    }

    @Test
    void networkConfigVersion1AsProxmoxWritesIt() throws Exception {
        Seed s = Seed.parse(null, null, """
                version: 1
                config:
                    - type: physical
                      name: eth0
                      mac_address: 'bc:24:11:00:00:01'
                      subnets:
                      - type: static
                        address: '192.168.1.10'
                        netmask: '255.255.255.0'
                        gateway: '192.168.1.1'
                    - type: nameserver
                      address:
                      - '1.1.1.1'
                      search:
                      - 'example.com'
                """, NICS);
        String f = s.network().get(0).content();
        assertTrue(f.contains("MACAddress=bc:24:11:00:00:01\n"), f);
        assertTrue(f.contains("Address=192.168.1.10/24\nGateway=192.168.1.1\nDNS=1.1.1.1\nDomains=example.com\n"), f);
    }

    @Test
    void refusesWhatItCannotApply() {
        assertThrows(SeedException.class, () -> Seed.parse(null, null,
                "version: 2\nethernets:\n  eth0:\n    addresses: [ 192.0.2.10 ]\n", NICS), "no prefix length");
        assertThrows(SeedException.class, () -> Seed.parse(null, null,
                "version: 2\nethernets:\n  eth0:\n    gateway4: gw.example\n", NICS), "a name, not an address");
        assertThrows(SeedException.class, () -> Seed.parse(null, null,
                "version: 2\nbonds:\n  bond0: {}\n", NICS), "bonds are not supported");
        assertThrows(SeedException.class, () -> Seed.parse(null, null, "version: 3\n", NICS));
        assertThrows(SeedException.class, () -> NetworkConfig.prefixOf("m", "255.0.255.0"));
    }

    @Test
    void theSiteLineIsReplacedInEitherStyleAndTheRestKept() {
        String flow = "# comment\nsite: { name: peerline, domain: peerline.home.arpa }\ndata: /var/lib/peerline\n";
        assertEquals("# comment\nsite: { name: a, domain: a.example }\ndata: /var/lib/peerline\n",
                SiteConfig.withSite(flow, "a", "a.example"));
        String block = "site:\n  name: x\n  domain: y.example\n# keep\nsip:\n  listen: [ \"udp:0.0.0.0:5060\" ]\n";
        assertEquals("site: { name: a, domain: a.example }\n# keep\nsip:\n  listen: [ \"udp:0.0.0.0:5060\" ]\n",
                SiteConfig.withSite(block, "a", "a.example"));
        assertEquals("# c\nsite: { name: a, domain: a.example }\ndata: /d\n",
                SiteConfig.withSite("# c\ndata: /d\n", "a", "a.example"));
    }

    @Test
    void firstBootWritesConfigNetworkAndPasswordOrNothing() throws Exception {
        Path seed = Files.createDirectories(dir.resolve("seed"));
        Path config = dir.resolve("peerline.yaml");
        Path net = dir.resolve("network");
        Path out = dir.resolve("out");
        Files.writeString(config, "# the box\nsite: { name: peerline, domain: peerline.home.arpa }\ndata: "
                + dir.resolve("data") + "\n");
        Files.writeString(seed.resolve("meta-data"), "instance-id: test\n");
        Files.writeString(seed.resolve("user-data"),
                "#cloud-config\npeerline:\n  site: lab\n  domain: lab.example\n  admin_password: 'pass word 1'\n");
        Files.createDirectories(net);
        Files.writeString(net.resolve("10-cidata-00-old.network"), "stale");
        String[] args = {"--seed", seed.toString(), "--config", config.toString(), "--network-dir", net.toString(),
            "--out", out.toString()};

        assertEquals(0, FirstBoot.run(args));
        assertTrue(Files.readString(config).contains("site: { name: lab, domain: lab.example }\n"));
        assertEquals("pass word 1\n", Files.readString(out.resolve("admin-password")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("admin-password"))));
        assertTrue(Files.notExists(net.resolve("10-cidata-00-old.network")), "an earlier seed's network is gone");

        String before = Files.readString(config);
        Files.writeString(seed.resolve("user-data"), "#cloud-config\npeerline: { site: ok }\n");
        Files.writeString(seed.resolve("network-config"), "version: 2\nethernets:\n  e: { addresses: [ x ] }\n");
        assertEquals(2, FirstBoot.run(args), "a bad network-config refuses the whole seed");
        assertEquals(before, Files.readString(config));
    }
}
