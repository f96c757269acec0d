package org.peerline.gateway.federation;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The invitations a federation's CA box has made, in {@code invitations.json} next to the CA key: each with
 * its site, domain, expiry and when it was used, and only the SHA-256 of its secret. The CLI adds invitations
 * while the daemon redeems them, so every change is a read-modify-write under a file lock, written atomically.
 */
public final class InvitationStore {
    /** One invitation as stored. */
    public record Entry(String id, String secretSha256, String site, String domain, long expires, long usedAt) {
    }

    /** A made invitation: its id and the secret that goes into the token (never stored). */
    public record Made(String id, String secret) {
    }

    /** An invitation that cannot be redeemed, and why (said to the joining box). */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Path lock;

    public InvitationStore(Path caDir) {
        this.file = caDir.resolve("invitations.json");
        this.lock = caDir.resolve("invitations.lock");
    }

    /** Records a new invitation for {@code site} serving {@code domain}, valid until {@code expires} (epoch s). */
    public Made create(String site, String domain, long expires) throws IOException {
        byte[] id = new byte[9];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        Made made = new Made(Base64.getUrlEncoder().withoutPadding().encodeToString(id),
                Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
        update(entries -> {
            entries.add(new Entry(made.id(), sha256(made.secret()), site, domain, expires, 0));
            return null;
        });
        return made;
    }

    /**
     * Uses the invitation {@code id} once, if {@code secret} is its secret, it has not expired and was not used
     * before; returns it. Otherwise Refused, saying which.
     */
    public Entry redeem(String id, String secret, long nowSeconds) throws IOException, Refused {
        Entry[] used = new Entry[1];
        String refusal = update(entries -> {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (!e.id().equals(id)) {
                    continue;
                }
                if (!MessageDigest.isEqual(e.secretSha256().getBytes(StandardCharsets.US_ASCII),
                        sha256(secret).getBytes(StandardCharsets.US_ASCII))) {
                    return "the invitation's secret is wrong (a forged or altered token)";
                }
                if (e.usedAt() != 0) {
                    return "the invitation was used already (it is good for one box only; ask for a new one)";
                }
                if (nowSeconds > e.expires()) {
                    return "the invitation expired (ask for a new one)";
                }
                used[0] = new Entry(e.id(), e.secretSha256(), e.site(), e.domain(), e.expires(), nowSeconds);
                entries.set(i, used[0]);
                return null;
            }
            return "no such invitation (a forged token, or one from another federation)";
        });
        if (refusal != null) {
            throw new Refused(refusal);
        }
        return used[0];
    }

    /** Every invitation, oldest first. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        update(entries -> {
            out.addAll(entries);
            return null;
        });
        return out;
    }

    private interface Change {
        String apply(List<Entry> entries);
    }

    private synchronized String update(Change change) throws IOException {
        Files.createDirectories(file.getParent());
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = ch.lock(); // released when the channel closes; one process at a time from here
            List<Entry> entries = Files.exists(file)
                    ? new ArrayList<>(JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() { }))
                    : new ArrayList<>();
            int before = entries.hashCode();
            String result = change.apply(entries);
            if (entries.hashCode() != before) {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(entries));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            held.release();
            return result;
        }
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
