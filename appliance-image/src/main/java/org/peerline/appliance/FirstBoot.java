package org.peerline.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.peerline.gateway.daemon.ConfigException;
import org.peerline.gateway.daemon.ConfigLoader;
import org.peerline.gateway.daemon.PeerlineConfig;

/**
 * The appliance's first-boot step (run by {@code /usr/lib/peerline-appliance/firstboot}, which finds and mounts the
 * NoCloud seed): reads the seed ({@link Seed}), and when every value is valid writes
 * <ul>
 *   <li>{@code site.name}/{@code site.domain} into the gateway's configuration ({@link SiteConfig}; the result is
 *       checked with the gateway's own loader before it replaces the file);</li>
 *   <li>the {@code .network} files of a static network ({@link NetworkConfig}), replacing earlier ones;</li>
 *   <li>into the output directory: {@code hostname} and {@code admin-password} (mode 0600), which the script
 *       applies with {@code hostname} and {@code peerline admin password}.</li>
 * </ul>
 * Exit status: 0 applied, 2 the seed (or the configuration it would make) is invalid and nothing was written,
 * 1 a file could not be read or written.
 *
 * <pre>FirstBoot --seed DIR --config FILE --network-dir DIR --out DIR</pre>
 */
public final class FirstBoot {
    private FirstBoot() {
    }

    /** Runs the step; see the class comment for the arguments and the exit status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        Map<String, String> opts;
        try {
            opts = options(args);
        } catch (IllegalArgumentException e) {
            System.err.println("firstboot: " + e.getMessage());
            System.err.println("usage: FirstBoot --seed DIR --config FILE --network-dir DIR --out DIR");
            return 2;
        }
        Path seedDir = Path.of(opts.get("--seed"));
        Path config = Path.of(opts.get("--config"));
        Path networkDir = Path.of(opts.get("--network-dir"));
        Path out = Path.of(opts.get("--out"));
        try {
            Seed seed = Seed.parse(read(seedDir.resolve(Seed.META_DATA)), read(seedDir.resolve(Seed.USER_DATA)),
                    read(seedDir.resolve(NetworkConfig.FILE)), interfaces(Path.of("/sys/class/net")));
            String newConfig = configured(config, seed);
            seed.notes().forEach(n -> System.out.println("note: " + n));
            apply(seed, config, newConfig, networkDir, out);
            return 0;
        } catch (SeedException e) {
            System.err.println("firstboot: the seed is not applied: " + e.getMessage());
            return 2;
        } catch (ConfigException e) {
            System.err.println("firstboot: the seed is not applied: the configuration it makes is refused: "
                    + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("firstboot: " + e);
            return 1;
        }
    }

    /** The configuration's new text with the seed's site and domain, checked; null when the seed sets neither. */
    static String configured(Path config, Seed seed) throws IOException, ConfigException {
        if (seed.site() == null && seed.domain() == null) {
            return null;
        }
        String text = Files.readString(config, StandardCharsets.UTF_8);
        PeerlineConfig.Site now = ConfigLoader.parse(config, text).site();
        String updated = SiteConfig.withSite(text, seed.site() != null ? seed.site() : now.name(),
                seed.domain() != null ? seed.domain() : now.domain());
        ConfigLoader.parse(config, updated);
        return updated;
    }

    private static void apply(Seed seed, Path config, String newConfig, Path networkDir, Path out) throws IOException {
        if (newConfig != null) {
            Path tmp = config.resolveSibling(config.getFileName() + ".firstboot");
            Files.writeString(tmp, newConfig, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(config));
            Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.println((seed.site() != null ? "site " + seed.site() + " " : "")
                    + (seed.domain() != null ? "domain " + seed.domain() + " " : "") + "written to " + config);
        }
        if (Files.isDirectory(networkDir)) {
            try (DirectoryStream<Path> old = Files.newDirectoryStream(networkDir, "10-cidata-*.network")) {
                for (Path p : old) {
                    Files.delete(p);
                }
            }
        }
        if (!seed.network().isEmpty()) {
            Files.createDirectories(networkDir);
            for (NetworkConfig.NetworkdFile f : seed.network()) {
                Files.writeString(networkDir.resolve(f.name()), f.content(), StandardCharsets.UTF_8);
                System.out.println("network: wrote " + networkDir.resolve(f.name()));
            }
        } else {
            System.out.println("network: DHCP on every Ethernet interface (no network-config in the seed)");
        }
        Files.createDirectories(out);
        if (seed.hostname() != null) {
            Files.writeString(out.resolve("hostname"), seed.hostname() + "\n", StandardCharsets.UTF_8);
        }
        if (seed.adminPassword() != null) {
            Path pw = out.resolve("admin-password");
            Files.deleteIfExists(pw);
            Files.createFile(pw, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(pw, seed.adminPassword() + "\n", StandardCharsets.UTF_8);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    }

    /** The names of the network interfaces in {@code sysClassNet}, loopback left out. */
    static List<String> interfaces(Path sysClassNet) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(sysClassNet)) {
            try (Stream<Path> s = Files.list(sysClassNet)) {
                s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("lo")).sorted().forEach(names::add);
            }
        }
        return names;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length || !List.of("--seed", "--config", "--network-dir", "--out").contains(args[i])) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            m.put(args[i], args[i + 1]);
        }
        for (String k : List.of("--seed", "--config", "--network-dir", "--out")) {
            if (!m.containsKey(k)) {
                throw new IllegalArgumentException("missing " + k);
            }
        }
        return m;
    }
}
