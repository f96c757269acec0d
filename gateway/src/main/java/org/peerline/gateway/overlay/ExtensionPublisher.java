package org.peerline.gateway.overlay;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.peerline.gateway.Daemons;
import org.peerline.overlay.api.Overlay;
import org.peerline.provisioning.api.User;
import org.peerline.provisioning.api.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this box's extensions global (issue 4): every user with an extension is claimed in the overlay
 * (PEERLINE-EXTENSION, extension → AOR), so that {@code 2001} dialled at any site reaches the user here. The
 * claims follow the user list: checked every {@link #PERIOD_SECONDS} s, so a user added, renumbered or removed
 * (by the API, the CLI or a restore) is claimed or withdrawn within that time.
 *
 * <p>Two sites claiming one extension is a conflict: the box that claims second finds the other claim at once
 * and logs it; any box that finds several claims while routing a call records it too ({@link #conflict}), and
 * answers that call 485 Ambiguous. {@link #conflicts()} is shown by {@code peerline overlay status}.
 */
public final class ExtensionPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExtensionPublisher.class);
    static final long PERIOD_SECONDS = 10;

    private final Overlay overlay;
    private final Users users;
    private final String domain;
    private final Duration lifetime;
    private final ScheduledExecutorService timer;
    /** extension → AOR this box claims (or is claiming). */
    private final Map<String, String> claimed = new ConcurrentHashMap<>();
    /** extension → the AORs that claim it, while more than one does. */
    private final Map<String, List<String>> conflicts = new ConcurrentHashMap<>();

    public ExtensionPublisher(Overlay overlay, Users users, String domain, Duration lifetime) {
        this.overlay = overlay;
        this.users = users;
        this.domain = domain;
        this.lifetime = lifetime;
        this.timer = Daemons.timer("extension-publisher");
    }

    /** The box has joined: claim the extensions now and follow the user list from then on. */
    public void start() {
        timer.scheduleWithFixedDelay(this::reconcile, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** Claims what the user list says and withdraws what it no longer says. */
    void reconcile() {
        Map<String, String> wanted = new HashMap<>();
        try {
            for (User u : users.list()) {
                if (u.extension() != null && !u.extension().isBlank()) {
                    wanted.put(u.extension(), "sip:" + u.name() + "@" + domain);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("extensions: cannot read the users: {}", e.toString());
            return;
        }
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            if (!e.getValue().equals(claimed.get(e.getKey()))) {
                claim(e.getKey(), e.getValue());
            }
        }
        for (String ext : List.copyOf(claimed.keySet())) {
            if (!wanted.containsKey(ext)) {
                claimed.remove(ext);
                conflicts.remove(ext);
                overlay.unpublishExtension(ext).whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warn("extensions: cannot withdraw {}: {} (it expires in at most {} s)", ext, e.getMessage(),
                                lifetime.toSeconds());
                    } else {
                        LOG.info("extensions: withdrew {}", ext);
                    }
                });
            }
        }
        // a conflict clears when the other site gives the number up
        conflicts.keySet().stream().filter(claimed::containsKey).forEach(this::check);
    }

    private void claim(String ext, String aor) {
        claimed.put(ext, aor);
        overlay.publishExtension(ext, aor, lifetime).whenComplete((v, e) -> {
            if (e != null) {
                claimed.remove(ext, aor); // the next round tries again
                LOG.warn("extensions: cannot claim {} for {}: {}", ext, aor, e.getMessage());
            } else {
                LOG.debug("extensions: claimed {} for {}", ext, aor);
                check(ext);
            }
        });
    }

    private void check(String ext) {
        overlay.lookupExtension(ext).whenComplete((claims, e) -> {
            if (e == null) {
                conflict(ext, claims.stream().map(Overlay.Registration::uri).distinct().sorted().toList());
            }
        });
    }

    /** Records what the overlay says claims {@code ext}: a conflict when more than one AOR. */
    public void conflict(String ext, List<String> aors) {
        if (aors.size() > 1) {
            if (!aors.equals(conflicts.put(ext, aors))) {
                LOG.warn("extensions: CONFLICT: extension {} is claimed by {}; calls to it get 485 Ambiguous until"
                        + " all but one site give it up", ext, aors);
            }
        } else if (conflicts.remove(ext) != null) {
            LOG.info("extensions: extension {} is no longer in conflict: {}", ext, aors);
        }
    }

    /** Extension → the AORs claiming it, for every extension known to be in conflict. */
    public Map<String, List<String>> conflicts() {
        return new TreeMap<>(conflicts);
    }

    /** Extension → AOR, as this box claims them. */
    public Map<String, String> claimed() {
        return new TreeMap<>(claimed);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
