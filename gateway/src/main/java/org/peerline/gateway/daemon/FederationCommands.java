package org.peerline.gateway.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.peerline.gateway.federation.Enrollment;
import org.peerline.gateway.federation.Invitation;
import org.peerline.gateway.federation.InvitationStore;
import org.peerline.overlay.security.Credentials;
import org.peerline.overlay.security.OverlayCa;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code peerline federation init|invite|join}: the first box creates the federation's CA and its own
 * certificate; it invites other sites with one-time, expiring tokens; a new box trades a token for its
 * certificate over HTTPS with the inviting box (which must be running) and remembers it as its first peer.
 */
final class FederationCommands {
    private FederationCommands() {
    }

    /** Shared: the configuration, and where the overlay section puts things. */
    abstract static class Base implements Callable<Integer> {
        @CommandLine.Mixin
        Main.ConfigFile config;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public final Integer call() throws Exception {
            LogSetup.quiet();
            PeerlineConfig cfg = config.load();
            if (cfg.overlay() == null) {
                return fail(Main.BAD_CONFIG, "the configuration has no 'overlay:' section (at least overlay.listen:"
                        + " the address other boxes reach this one at); see gateway/CONFIG.md");
            }
            try {
                return run(cfg);
            } catch (IOException e) {
                return fail(Main.FAILURE, e.getMessage());
            }
        }

        abstract int run(PeerlineConfig cfg) throws IOException;

        int fail(int status, String message) {
            spec.commandLine().getErr().println("peerline: " + message);
            return status;
        }

        static boolean enrolled(Path node) {
            return Files.exists(node.resolve("node.crt"));
        }

        int alreadyEnrolled(Path node) {
            return fail(Main.FAILURE, "this box has overlay credentials already in " + node
                    + "; a box belongs to one federation");
        }

        void say(String text) {
            spec.commandLine().getOut().println(text);
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "init", description = "On the first box: create the federation's CA and this box's certificate"
            + " (site and domain from the configuration).")
    static final class Init extends Base {
        @Option(names = "--overlay", paramLabel = "NAME", defaultValue = "peerline",
                description = "the federation's overlay name (default ${DEFAULT-VALUE})")
        String overlay;

        @Override
        int run(PeerlineConfig cfg) throws IOException {
            Path caDir = Main.caDir(cfg);
            Path node = cfg.overlay().credentials();
            if (enrolled(node)) {
                return alreadyEnrolled(node);
            }
            OverlayCa ca = OverlayCa.create(overlay, caDir);
            Files.writeString(caDir.resolve("overlay-name"), overlay + "\n");
            Credentials own = ca.issue(cfg.site().name(), List.of(cfg.site().domain()), Enrollment.VALIDITY);
            own.save(node);
            say("created federation '" + overlay + "': CA in " + caDir + " (its key never leaves it), this box is"
                    + " Node-ID " + own.nodeId() + " for site " + cfg.site().name() + " (" + cfg.site().domain() + ")");
            say("next: start the box (peerline run --config FILE), then invite other sites with"
                    + " 'peerline federation invite --site NAME --domain DOMAIN'");
            return 0;
        }
    }

    @Command(name = "invite", description = "On the CA box: print a one-time, expiring invitation token for a site.")
    static final class Invite extends Base {
        @Option(names = "--site", required = true, paramLabel = "NAME", description = "the invited site's name")
        String site;
        @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "the SIP domain it serves")
        String domain;
        @Option(names = "--valid", defaultValue = "24h", paramLabel = "DURATION",
                description = "how long the token may be used, e.g. 30m, 24h (default ${DEFAULT-VALUE})")
        String valid;

        @Override
        int run(PeerlineConfig cfg) throws IOException {
            Path caDir = Main.caDir(cfg);
            if (!Files.exists(caDir.resolve("ca.key"))) {
                return fail(Main.FAILURE, "this box holds no federation CA (" + caDir + "); invitations come from"
                        + " the box where 'peerline federation init' ran");
            }
            if (!site.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
                    || !domain.matches("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                return fail(Main.BAD_CONFIG, "--site must be a site name and --domain a DNS domain name");
            }
            Duration validity;
            try {
                validity = YamlSection.parseDuration(valid);
            } catch (IllegalArgumentException e) {
                return fail(Main.BAD_CONFIG, "--valid: " + e.getMessage());
            }
            if (validity.toSeconds() < 60 || validity.toDays() > 30) {
                return fail(Main.BAD_CONFIG, "--valid must be between 1 minute and 30 days");
            }
            Credentials own = Credentials.load(cfg.overlay().credentials());
            long expires = Instant.now().plus(validity).getEpochSecond();
            InvitationStore.Made made = new InvitationStore(caDir).create(site, domain.toLowerCase(java.util.Locale.ROOT),
                    expires);
            var e = cfg.overlay().enroll();
            var l = cfg.overlay().listen();
            Invitation inv = new Invitation("https://" + hostPort(e.host(), e.port()) + "/enroll",
                    Enrollment.fingerprint(own.ca()), own.nodeId().toString(), made.id(), made.secret(), expires,
                    hostPort(l.host(), l.port()), site, domain.toLowerCase(java.util.Locale.ROOT));
            say(inv.encode());
            spec.commandLine().getErr().println("one box of site " + site + " (" + domain + ") may join with this token"
                    + " until " + Instant.ofEpochSecond(expires) + ": peerline federation join TOKEN --config FILE"
                    + " (this box must be running)");
            return 0;
        }
    }

    @Command(name = "join", description = "On a new box: trade an invitation token for this box's certificate.")
    static final class Join extends Base {
        @Parameters(paramLabel = "TOKEN", description = "the token 'peerline federation invite' printed")
        String token;

        @Override
        int run(PeerlineConfig cfg) throws IOException {
            Invitation inv;
            try {
                inv = Invitation.decode(token);
            } catch (IllegalArgumentException e) {
                return fail(Main.BAD_CONFIG, e.getMessage());
            }
            Path node = cfg.overlay().credentials();
            if (enrolled(node)) {
                return alreadyEnrolled(node);
            }
            if (Instant.now().getEpochSecond() > inv.expires()) {
                return fail(Main.FAILURE, "the invitation expired at " + Instant.ofEpochSecond(inv.expires())
                        + "; ask the inviting box for a new one");
            }
            if (!inv.domain().equalsIgnoreCase(cfg.site().domain())) {
                spec.commandLine().getErr().println("peerline: note: the invitation is for domain " + inv.domain()
                        + ", this box's site.domain is " + cfg.site().domain() + "; its users can be published"
                        + " only under " + inv.domain());
            }
            Credentials own = Enrollment.join(inv);
            own.save(node);
            Path peers = cfg.data().resolve("overlay").resolve("peers");
            Files.createDirectories(peers.getParent());
            Files.writeString(peers, "# the inviting box, remembered at 'federation join'\n" + inv.overlay() + "\n");
            say("joined federation '" + own.overlayName() + "' as Node-ID " + own.nodeId() + " for site " + inv.site()
                    + " (" + String.join(", ", own.domains()) + "); credentials in " + node);
            say("next: peerline run --config FILE (it joins the overlay through " + inv.overlay()
                    + "; add it to overlay.bootstrap to keep it there)");
            return 0;
        }
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
