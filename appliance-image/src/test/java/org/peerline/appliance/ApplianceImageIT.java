package org.peerline.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Builds the appliance (build.sh: the .deb, raw, qcow2, OVA) and boots it in QEMU (boot-test.sh): the admin page,
 * two SIP phones registered and a call between them through the forwarded port, the console. Two boots that
 * together cover both firmwares and both first-boot paths: BIOS from the raw image on virtio without a seed (the
 * console's setup code sets the admin password through the page), and UEFI from the OVA's disk on IDE and E1000
 * with an ISO 9660 cloud-init seed (site, domain, admin password, static network). Under software emulation the
 * build takes three to four minutes and each boot two to three; the figures go to the output and to
 * target/appliance-figures.txt.
 *
 * <p>Needs root (debootstrap, chroot, network namespaces): skipped otherwise, except under CI
 * ({@code PEERLINE_REQUIRE_TOOLS=1}), which runs as root and fails instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApplianceImageIT {
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path TARGET = MODULE.resolve("target");
    private static final Duration BUILD_LIMIT = Duration.ofMinutes(20);
    private static final Duration BOOT_LIMIT = Duration.ofMinutes(10);
    private static final List<String> FIGURES = new ArrayList<>();
    private static boolean built;

    @BeforeAll
    static void requireRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail("the appliance image test needs root (debootstrap, chroot, network namespaces), and CI runs as root");
        }
        assumeTrue(root, "the appliance image test needs root (debootstrap, chroot, network namespaces); CI runs it");
    }

    @Test
    @Order(1)
    void buildsTheDebAndTheImages() throws Exception {
        Run build = run(BUILD_LIMIT, MODULE.resolve("build.sh").toString());
        assertEquals(0, build.status(), "build.sh failed");
        try (var debs = Files.list(TARGET)) {
            assertTrue(debs.anyMatch(p -> p.getFileName().toString().matches("peerline_.*_all\\.deb")), "no .deb");
        }
        for (String image : List.of("peerline.raw", "peerline.qcow2", "peerline.ova")) {
            assertTrue(Files.size(TARGET.resolve(image)) > 0, image);
        }
        build.keep("build time:", "size ");
        saveFigures();
        built = true;
    }

    @Test
    @Order(2)
    void bootsWithBiosAndWithoutASeedTheConsoleShowsTheSetupCode() throws Exception {
        boot("bios, raw image, virtio, no seed", "--firmware", "bios", "--seed", "none",
                TARGET.resolve("peerline.raw").toString());
    }

    @Test
    @Order(3)
    void theOvaDiskBootsWithUefiOnIdeAndE1000ConfiguredByAnIsoSeed() throws Exception {
        boolean ovmf = Files.exists(Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"))
                || Files.exists(Path.of("/usr/share/OVMF/OVMF_CODE.fd"));
        boolean iso = onPath("xorriso") || onPath("genisoimage");
        if ((!ovmf || !iso) && "1".equals(System.getenv("PEERLINE_REQUIRE_TOOLS"))) {
            fail("OVMF (Debian package ovmf) and xorriso are installed by .ci/run but missing here");
        }
        assumeTrue(ovmf && iso, "the UEFI boot needs OVMF and xorriso (apt-get install ovmf xorriso)");
        boot("uefi, OVA disk on IDE + E1000, iso seed with static network", "--firmware", "uefi", "--disk", "ide",
                "--nic", "e1000", "--seed", "iso", "--static-network", TARGET.resolve("peerline.ova").toString());
        System.out.println("appliance figures:");
        FIGURES.forEach(f -> System.out.println("  " + f));
    }

    private static void saveFigures() throws IOException {
        Files.write(TARGET.resolve("appliance-figures.txt"), FIGURES, StandardCharsets.UTF_8);
    }

    private static void boot(String what, String... args) throws Exception {
        assumeTrue(built, "the images were not built");
        List<String> cmd = new ArrayList<>(List.of(MODULE.resolve("boot-test.sh").toString()));
        cmd.addAll(List.of(args));
        Run boot = run(BOOT_LIMIT, cmd.toArray(String[]::new));
        boot.keep("boot-to-ready:");
        FIGURES.set(FIGURES.size() - 1, FIGURES.get(FIGURES.size() - 1) + "  [" + what + "]");
        saveFigures();
        assertEquals(0, boot.status(), "boot-test.sh " + String.join(" ", args) + " failed: " + boot.failed());
    }

    /** A finished script: its exit status and its output lines. */
    private record Run(int status, List<String> lines) {
        void keep(String... prefixes) {
            for (String l : lines) {
                for (String p : prefixes) {
                    if (l.startsWith(p)) {
                        FIGURES.add(l);
                    }
                }
            }
            if (lines.stream().noneMatch(l -> l.startsWith(prefixes[0]))) {
                FIGURES.add(prefixes[0] + " none");
            }
        }

        String failed() {
            return lines.stream().filter(l -> l.contains("FAIL")).reduce((a, b) -> a + "; " + b).orElse("see above");
        }
    }

    /** Runs a script as a child, echoing its output as it comes; kills it (and its children) past {@code limit}. */
    private static Run run(Duration limit, String... cmd) throws IOException, InterruptedException {
        System.out.println("$ " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).directory(MODULE.toFile()).redirectErrorStream(true).start();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    System.out.println(l);
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("(output lost: " + e.getMessage() + ")");
            }
        }, "script-output");
        reader.start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            fail(cmd[0] + " did not finish within " + limit.toMinutes() + " minutes");
        }
        reader.join(10_000);
        return new Run(p.exitValue(), List.copyOf(lines));
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
