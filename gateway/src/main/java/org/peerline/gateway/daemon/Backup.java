package org.peerline.gateway.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.peerline.provisioning.api.Provisioning;
import org.peerline.provisioning.api.ProvisioningException;

/**
 * One-file backups of a box: a zip with the users and phones ({@code users.db}, copied consistently while the
 * daemon runs), the configuration file, the overlay's certificates and keys (the CA too, on the box that holds it),
 * invitations and known peers. Registrations ({@code bindings.db}) are left out: phones register again.
 *
 * <p>Layout: {@code peerline-backup.json} (format, version, site, time), {@code config/peerline.yaml},
 * {@code data/...} (paths inside the data directory), {@code credentials/...} (the overlay credentials, when they
 * live outside the data directory). Restoring a backup of an older version works: the store migrates its schema
 * when it opens.
 */
final class Backup {
    /** The backup format this code writes; it restores this one and older. */
    static final int FORMAT = 1;
    static final String MANIFEST = "peerline-backup.json";
    private static final String CONFIG_ENTRY = "config/peerline.yaml";
    private static final String DATA = "data/";
    private static final String CREDENTIALS = "credentials/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Backup() {
    }

    /** What a backup says of itself. */
    record Manifest(int format, String site, String created) {
    }

    /** Reads and checks a backup without restoring it: a Peerline backup, of a format this code reads. */
    static Manifest check(Path backup) throws IOException {
        return manifest(read(backup), backup);
    }

    private static Manifest manifest(Map<String, byte[]> entries, Path backup) throws IOException {
        JsonNode manifest;
        try {
            manifest = entries.containsKey(MANIFEST) ? JSON.readTree(entries.get(MANIFEST)) : null;
        } catch (IOException e) {
            manifest = null;
        }
        if (manifest == null || !manifest.path("format").canConvertToInt()) {
            throw new IOException(backup.getFileName() + " is not a Peerline backup (no readable " + MANIFEST + ")");
        }
        int format = manifest.get("format").asInt();
        if (format > FORMAT) {
            throw new IOException(backup.getFileName() + " has backup format " + format + "; this Peerline ("
                    + Main.VERSION + ") reads formats up to " + FORMAT + ": upgrade Peerline first");
        }
        if (!entries.containsKey(DATA + Provisioning.USERS_DB)) {
            throw new IOException(backup.getFileName() + " holds no " + Provisioning.USERS_DB);
        }
        return new Manifest(format, manifest.path("site").asText(null), manifest.path("created").asText(null));
    }

    /** What a backup or restore did, for the operator. */
    record Summary(int users, int phones, int files) {
    }

    /**
     * Writes a backup of the box configured by {@code cfg} to {@code target} (replaced atomically if it exists).
     *
     * @param cfg    the box's configuration; {@code cfg.source()} is included when not null
     * @param target the zip file to write
     * @return what went into it
     */
    static Summary create(PeerlineConfig cfg, Path target) throws IOException, ProvisioningException {
        Path data = cfg.data().toAbsolutePath().normalize();
        Path tmpDir = Files.createTempDirectory("peerline-backup");
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try (Provisioning p = Provisioning.open(cfg.data(), cfg.site().domain())) {
            Path db = tmpDir.resolve(Provisioning.USERS_DB);
            p.backupTo(db);
            int files = 0;
            try (OutputStream out = Files.newOutputStream(partial); ZipOutputStream zip = new ZipOutputStream(out)) {
                ObjectNode manifest = JSON.createObjectNode();
                manifest.put("format", FORMAT);
                manifest.put("peerline", Main.VERSION);
                manifest.put("site", cfg.site().name());
                manifest.put("domain", cfg.site().domain());
                manifest.put("created", Instant.now().toString());
                put(zip, MANIFEST, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
                if (cfg.source() != null) {
                    put(zip, CONFIG_ENTRY, Files.readAllBytes(cfg.source()));
                }
                put(zip, DATA + Provisioning.USERS_DB, Files.readAllBytes(db));
                files += 1 + addTree(zip, data, DATA, data);
                Path credentials = credentialsOutsideData(cfg);
                if (credentials != null) {
                    files += addTree(zip, credentials, CREDENTIALS, null);
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Summary(p.users().list().size(), p.phones().list().size(), files);
        } finally {
            Files.deleteIfExists(partial);
            deleteTree(tmpDir);
        }
    }

    /**
     * Restores {@code backup} for the configuration file {@code configFile}: writes the backup's configuration there
     * (if the file does not exist, or with {@code force}), then the data directory that configuration names. Refuses
     * to replace a data directory that holds users or phones, or a different configuration file, without
     * {@code force}. The daemon must be stopped. {@code configFile} null: the embedded defaults' data directory,
     * and the backup's configuration is not restored.
     *
     * @return what was restored
     */
    static Summary restore(Path backup, Path configFile, boolean force, PrintCallback out)
            throws IOException, ProvisioningException, ConfigException {
        Map<String, byte[]> entries = read(backup);
        manifest(entries, backup);
        byte[] config = entries.get(CONFIG_ENTRY);
        if (config != null && configFile != null) {
            if (Files.exists(configFile) && !Arrays.equals(Files.readAllBytes(configFile), config)) {
                if (!force) {
                    throw new IOException(configFile + " exists and differs from the backup's configuration; "
                            + "use --force to replace it (the old one is kept as " + configFile + ".before-restore)");
                }
                Files.copy(configFile, configFile.resolveSibling(configFile.getFileName() + ".before-restore"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            writeAtomically(configFile, config);
            out.println("restored the configuration to " + configFile);
        }
        PeerlineConfig cfg = configFile != null && Files.exists(configFile) ? ConfigLoader.load(configFile)
                : PeerlineConfig.defaults();
        Path data = cfg.data().toAbsolutePath().normalize();
        if (!force) {
            refuseIfInUse(cfg);
        }
        Path credentials = credentialsOutsideData(cfg);
        for (String db : List.of(Provisioning.USERS_DB + "-wal", Provisioning.USERS_DB + "-shm")) {
            Files.deleteIfExists(data.resolve(db));
        }
        int files = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            Path target = null;
            if (e.getKey().startsWith(DATA)) {
                target = inside(data, e.getKey().substring(DATA.length()));
            } else if (e.getKey().startsWith(CREDENTIALS) && credentials != null) {
                target = inside(credentials, e.getKey().substring(CREDENTIALS.length()));
            }
            if (target != null) {
                createPrivateDirs(target.getParent());
                writeAtomically(target, e.getValue());
                files++;
            }
        }
        try (Provisioning p = Provisioning.open(cfg.data(), cfg.site().domain())) {
            return new Summary(p.users().list().size(), p.phones().list().size(), files);
        }
    }

    /** Where {@code println} goes (the command's standard output). */
    interface PrintCallback {
        void println(String line);
    }

    private static void refuseIfInUse(PeerlineConfig cfg) throws IOException, ProvisioningException {
        if (!Files.exists(cfg.data().resolve(Provisioning.USERS_DB))) {
            return;
        }
        try (Provisioning p = Provisioning.open(cfg.data(), cfg.site().domain())) {
            int users = p.users().list().size();
            int phones = p.phones().list().size();
            if (users + phones > 0) {
                throw new IOException(cfg.data().toAbsolutePath() + " holds " + users + " users and " + phones
                        + " phones; restoring would replace them: stop the daemon and use --force");
            }
        }
    }

    /** The overlay credentials directory when it is not inside the data directory (else null: DATA has it). */
    private static Path credentialsOutsideData(PeerlineConfig cfg) {
        if (cfg.overlay() == null || cfg.overlay().credentials() == null) {
            return null;
        }
        Path c = cfg.overlay().credentials().toAbsolutePath().normalize();
        return c.startsWith(cfg.data().toAbsolutePath().normalize()) ? null : c;
    }

    /** Adds the files under {@code dir} (but not the live databases and lock files) as {@code prefix + path}. */
    private static int addTree(ZipOutputStream zip, Path dir, String prefix, Path dataDir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        int added = 0;
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            String name = f.getFileName().toString();
            if (dataDir != null && (name.startsWith(Provisioning.USERS_DB) || name.startsWith("bindings.db"))
                    || name.endsWith(".lock")) {
                continue;
            }
            put(zip, prefix + rel, Files.readAllBytes(f));
            added++;
        }
        return added;
    }

    private static void put(ZipOutputStream zip, String name, byte[] body) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(body);
        zip.closeEntry();
    }

    /** Reads every entry; refuses names that would escape their directory. */
    private static Map<String, byte[]> read(Path backup) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(backup); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (name.startsWith("/") || name.contains("\\") || Arrays.asList(name.split("/")).contains("..")) {
                    throw new IOException(backup + ": entry '" + name + "' points outside the backup; refused");
                }
                entries.put(name, zip.readAllBytes());
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(backup + " is not a readable zip file: " + e.getMessage(), e);
        }
        return entries;
    }

    private static Path inside(Path dir, String relative) throws IOException {
        Path target = dir.resolve(relative).normalize();
        if (!target.startsWith(dir) || relative.isEmpty()) {
            throw new IOException("backup entry '" + relative + "' is outside " + dir);
        }
        return target;
    }

    private static void createPrivateDirs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    /** Writes owner-only (the files hold keys and password equivalents), through a temporary file and a rename. */
    private static void writeAtomically(Path target, byte[] body) throws IOException {
        createPrivateDirs(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".restoring");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, body);
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
