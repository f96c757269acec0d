package org.peerline.provisioning.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerline.provisioning.phones.ProfileSite;

/**
 * Each vendor's files fetched as a phone fetches them, with curl over HTTP and over TFTP, are the same bytes both
 * ways and match the golden files in {@code fetched/} (the phone's random password replaced by
 * {@code PHONE-PASSWORD}).
 */
class PhoneFileFetchTest {
    private static final String PASSWORD_MARK = "PHONE-PASSWORD";

    @TempDir
    Path dir;

    @Test
    void filesFetchedOverHttpAndTftpMatchTheGoldenFiles() throws Exception {
        assumeTrue(System.getenv("PEERLINE_REQUIRE_TOOLS") != null || Files.isExecutable(Path.of("/usr/bin/curl")),
                "curl is not installed");
        try (Provisioning p = Provisioning.open(dir.resolve("data"), "site.example")) {
            p.users().add(new NewUser("alice", "pw-a", "1001", "Alice Liddell"));
            p.users().add(new NewUser("bob", "pw-b", null, null));
            List<Object[]> files = List.of(
                    new Object[] {p.phones().add(new NewPhone("805ec0000001", Vendor.YEALINK, "T46U", List.of("alice", "bob"))),
                        "805ec0000001.cfg"},
                    new Object[] {p.phones().add(new NewPhone("0004f2000002", Vendor.POLYCOM, "VVX 411", List.of("alice"))),
                        "0004f2000002.cfg"},
                    new Object[] {p.phones().find("0004f2000002").orElseThrow(), "0004f2000002-peerline.cfg"},
                    new Object[] {p.phones().add(new NewPhone("000b82000003", Vendor.GRANDSTREAM, "GXP2170", List.of("bob"))),
                        "cfg000b82000003.xml"},
                    new Object[] {p.phones().add(new NewPhone("0022a0000004", Vendor.CISCO, "SPA504G", List.of("alice"))),
                        "spa0022a0000004.xml"});
            PhoneFiles phoneFiles = new PhoneFiles(p.phones(), p.users(), new ProfileSite("site.example", "192.0.2.10",
                    5060, "udp", ZoneId.of("Europe/Paris"), "pool.ntp.org", List.of("PCMU", "PCMA", "G722")),
                    System::currentTimeMillis);
            try (AdminServer http = AdminServer.startPhoneFilesOnly(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), phoneFiles, false);
                 AutoCloseable tftp = phoneFiles.serveTftp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                int tftpPort = ((org.peerline.provisioning.tftp.TftpServer) tftp).address().getPort();
                List<String> differ = new java.util.ArrayList<>();
                for (Object[] f : files) {
                    Phone phone = (Phone) f[0];
                    String name = (String) f[1];
                    byte[] overHttp = curl("http://127.0.0.1:" + http.address().getPort() + "/provision/" + name);
                    byte[] overTftp = curl("tftp://127.0.0.1:" + tftpPort + "/" + name);
                    assertArrayEquals(overHttp, overTftp, name + ": the same file over HTTP and TFTP");
                    String text = new String(overHttp, StandardCharsets.UTF_8);
                    // every file carries the phone's SIP password but Polycom's master file, which names the others
                    assertEquals(!name.equals("0004f2000002.cfg"), text.contains(phone.password()), name);
                    String normalised = text.replace(phone.password(), PASSWORD_MARK);
                    Files.writeString(Path.of("target", "fetched-" + name), normalised); // to review a change
                    if (!normalised.equals(golden(name))) {
                        differ.add(name);
                    }
                }
                assertEquals(List.of(), differ, "files that differ from their golden file (the fetched ones are in"
                        + " target/fetched-NAME)");
            }
        }
    }

    private static String golden(String name) throws Exception {
        try (InputStream in = PhoneFileFetchTest.class.getResourceAsStream("fetched/" + name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private byte[] curl(String url) throws Exception {
        Path out = Files.createTempFile(dir, "fetch", ".bin");
        Process proc = new ProcessBuilder("curl", "-s", "-f", "-o", out.toString(), "--max-time", "10", url)
                .redirectErrorStream(true).start();
        proc.getInputStream().readAllBytes();
        assertTrue(proc.waitFor(20, TimeUnit.SECONDS), "curl finished");
        assertEquals(0, proc.exitValue(), "curl fetched " + url);
        return Files.readAllBytes(out);
    }
}
