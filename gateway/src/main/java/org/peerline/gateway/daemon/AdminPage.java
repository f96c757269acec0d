package org.peerline.gateway.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.peerline.provisioning.api.AdminServer;
import org.peerline.provisioning.api.InvalidInputException;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.Provisioning;
import org.peerline.provisioning.api.ProvisioningException;
import org.peerline.provisioning.api.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's daemon-level endpoints the page uses besides users and phones:
 * <ul>
 *   <li>{@code GET /api/users.csv}: the users as CSV (passwords empty); {@code POST /api/users.csv} ({@code text/csv},
 *       header {@code name,password,extension,display}): add them all or none;</li>
 *   <li>{@code GET /api/backup}: the box's backup file ({@code peerline backup});</li>
 *   <li>{@code POST /api/restore} ({@code application/zip}): checks a backup and stages it; the daemon applies it at
 *       its next start, since a restore replaces the store under a running daemon.</li>
 * </ul>
 */
final class AdminPage {
    /** A staged restore, applied by {@link #applyStagedRestore} at start. */
    static final String STAGED = "restore-staged.zip";
    /** Largest backup the page may upload; it is held in memory while it is checked. */
    static final int MAX_BACKUP = 64 * 1024 * 1024;
    private static final int MAX_CSV = 16 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(AdminPage.class);

    private AdminPage() {
    }

    static void register(AdminServer admin, PeerlineConfig cfg, Provisioning provisioning) {
        admin.addDownload("/api/users.csv", "text/csv; charset=utf-8", cfg.site().name() + "-users.csv",
                () -> UserCsv.write(provisioning.users().list()).getBytes(StandardCharsets.UTF_8));
        admin.addUpload("/api/users.csv", "text/csv", MAX_CSV, body -> importCsv(provisioning, body));
        admin.addDownload("/api/backup", "application/zip", "peerline-" + cfg.site().name() + ".zip", () -> backup(cfg));
        admin.addUpload("/api/restore", "application/zip", MAX_BACKUP, body -> stage(cfg, body));
    }

    private static Object importCsv(Provisioning provisioning, byte[] body) {
        try {
            List<NewUser> users = UserCsv.read(new BufferedReader(new StringReader(
                    new String(body, StandardCharsets.UTF_8))), "users.csv");
            List<User> added = provisioning.users().addAll(users);
            return Map.of("added", added.size());
        } catch (UserCsv.CsvException | InvalidInputException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (ProvisioningException e) {
            // exists, extension taken: the whole file is refused, nothing was added
            throw new IllegalArgumentException(e.getMessage() + "; nothing was added");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] backup(PeerlineConfig cfg) {
        try {
            Path dir = Files.createTempDirectory("peerline-download");
            Path file = dir.resolve("backup.zip");
            try {
                Backup.create(cfg, file);
                return Files.readAllBytes(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException | ProvisioningException e) {
            throw new IllegalStateException("backup failed: " + e.getMessage(), e);
        }
    }

    private static Object stage(PeerlineConfig cfg, byte[] body) {
        try {
            Path tmp = cfg.data().resolve(STAGED + ".part");
            Files.write(tmp, body);
            Backup.Manifest manifest;
            try {
                manifest = Backup.check(tmp);
            } catch (IOException e) {
                Files.deleteIfExists(tmp);
                throw new IllegalArgumentException(e.getMessage());
            }
            Files.move(tmp, cfg.data().resolve(STAGED), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            LOG.info("admin page: staged a restore of site {} (backup of {}); applied at the next start",
                    manifest.site(), manifest.created());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("staged", true);
            out.put("site", manifest.site());
            out.put("created", manifest.created());
            out.put("message", "restart Peerline to apply the restore (systemctl restart peerline)");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies a restore staged from the page, before the store opens; keeps the file as ...-applied. */
    static void applyStagedRestore(PeerlineConfig cfg) throws IOException {
        Path staged = cfg.data().resolve(STAGED);
        if (!Files.exists(staged)) {
            return;
        }
        Path applied = cfg.data().resolve("restore-applied-" + System.currentTimeMillis() + ".zip");
        Files.move(staged, applied);
        try {
            Backup.Summary s = Backup.restore(applied, cfg.source() != null ? cfg.source() : null, true, LOG::info);
            LOG.info("applied the restore staged from the admin page: {} users, {} phones, {} files", s.users(),
                    s.phones(), s.files());
        } catch (ProvisioningException | ConfigException e) {
            throw new IOException("the restore staged from the admin page failed: " + e.getMessage(), e);
        }
    }
}
