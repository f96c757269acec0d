package org.peerline.gateway.daemon;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.peerline.gateway.routing.TimeSource;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.Provisioning;
import org.peerline.provisioning.api.ProvisioningException;
import org.peerline.provisioning.api.User;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code peerline} command. With no arguments it runs a gateway on embedded defaults.
 * Exit status: 0 success, 1 runtime failure, 2 bad configuration or usage.
 */
@Command(name = "peerline", mixinStandardHelpOptions = true, version = "Peerline " + Main.VERSION,
        description = "SIP-to-P2P gateway for desk phones.",
        subcommands = {Main.Run.class, Main.CheckConfig.class, Main.UserCmd.class, Main.PhoneCmd.class, Main.AdminCmd.class, Main.BackupCmd.class,
            Main.RestoreCmd.class, Main.OverlayCmd.class,
            Main.FederationCmd.class})
public final class Main implements Callable<Integer> {
    /** This software's version, in backups and {@code --version}. */
    static final String VERSION = "0.1.0";
    static final int FAILURE = 1;
    static final int BAD_CONFIG = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (tests call this instead of main). */
    public static int execute(String... args) {
        LogSetup.bridgeJul();
        CommandLine cl = new CommandLine(new Main());
        // bad usage (unknown option, a value of the wrong type) is a bad configuration too: status 2
        cl.setExitCodeExceptionMapper(e -> e instanceof ConfigException || e instanceof CommandLine.ParameterException
                ? BAD_CONFIG : FAILURE);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("peerline: " + (e instanceof ConfigException ? "" : "error: ") + e.getMessage());
            return e instanceof ConfigException ? BAD_CONFIG : FAILURE;
        });
        cl.getCommandSpec().exitCodeOnInvalidInput(BAD_CONFIG);
        return args.length == 0 ? cl.execute("run") : cl.execute(args);
    }

    @Override
    public Integer call() {
        return new Run().call();
    }

    static PeerlineConfig load(Path config) throws ConfigException {
        return config == null ? PeerlineConfig.defaults() : ConfigLoader.load(config);
    }

    /** {@code run}: the daemon in the foreground until SIGTERM or Ctrl-C. */
    @Command(name = "run", description = "Start the gateway (embedded defaults without --config).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see gateway/CONFIG.md)")
        Path config;

        @Override
        public Integer call() {
            PeerlineConfig cfg;
            try {
                cfg = load(config);
            } catch (ConfigException e) {
                System.err.println("peerline: " + e.getMessage());
                return BAD_CONFIG;
            }
            LogSetup.apply(cfg.log());
            Peerline p;
            try {
                if (config == null) {
                    Demo.seedUsers(cfg);
                }
                p = Peerline.start(cfg, TimeSource.SYSTEM);
            } catch (IOException | ProvisioningException | RuntimeException e) {
                System.err.println("peerline: cannot start: " + e.getMessage());
                return FAILURE;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                org.slf4j.LoggerFactory.getLogger(Main.class).info("stopping (signal)");
                p.close();
                stopped.countDown();
            }, "shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            Demo.printWelcome(cfg, p, config == null);
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    /** {@code check-config FILE}: validate without starting. */
    @Command(name = "check-config", description = "Validate a configuration file and exit (status 2 if invalid).")
    static final class CheckConfig implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "0..1")
        Path file;

        @Option(names = "--config", paramLabel = "FILE")
        Path config;

        @Override
        public Integer call() {
            Path f = file != null ? file : config;
            if (f == null) {
                System.err.println("peerline: check-config needs a FILE");
                return BAD_CONFIG;
            }
            try {
                PeerlineConfig cfg = ConfigLoader.load(f);
                System.out.println(f + ": OK (site " + cfg.site().name() + ", domain " + cfg.site().domain()
                        + ", SIP " + cfg.sip().listen() + ")");
                return 0;
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return BAD_CONFIG;
            }
        }
    }

    /** {@code user ...}: manage the site's SIP users in the data directory (works while the daemon runs). */
    @Command(name = "user", description = "Manage SIP users.",
            subcommands = {UserAdd.class, UserList.class, UserRemove.class, UserImport.class})
    static final class UserCmd extends Group {
    }

    /** {@code phone ...}: the site's desk phones, which fetch their configuration from the box by MAC. */
    @Command(name = "phone", description = "Manage desk phones (auto-provisioning by MAC).",
            subcommands = {PhoneCommands.Add.class, PhoneCommands.ListPhones.class, PhoneCommands.Remove.class})
    static final class PhoneCmd extends Group {
    }

    /** {@code admin password}: the admin page's password, from the command line (appliance first boot, resets). */
    @Command(name = "admin", description = "The admin page.", subcommands = {AdminPassword.class})
    static final class AdminCmd extends Group {
    }

    @Command(name = "password", description = "Set the admin page's password (read from standard input without"
            + " --password).")
    static final class AdminPassword extends UserBase {
        @Option(names = "--password", paramLabel = "P", description = "the new password (8-128 characters)")
        String password;

        @Override
        int run(Provisioning p, PrintWriter out) throws ProvisioningException, IOException {
            String pw = password;
            if (pw == null) {
                pw = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8)).readLine();
            }
            p.admin().setPassword(pw == null ? "" : pw.strip());
            java.nio.file.Files.deleteIfExists(cfg.data().resolve("admin").resolve("setup-code"));
            out.println("the admin password is set");
            return 0;
        }
    }

    /** {@code backup FILE}: users, phones, configuration and certificates in one file (safe while running). */
    @Command(name = "backup", description = "Back up users, phones, the configuration and the box's certificates"
            + " to one file (works while the daemon runs).")
    static final class BackupCmd implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the backup to write, e.g. peerline-backup.zip")
        Path file;
        @CommandLine.Mixin
        ConfigFile config;

        @Override
        public Integer call() throws Exception {
            LogSetup.quiet();
            PeerlineConfig cfg = config.load();
            try {
                Backup.Summary s = Backup.create(cfg, file);
                System.out.println("backed up " + s.users() + " users, " + s.phones() + " phones and " + s.files()
                        + " files of site " + cfg.site().name() + " to " + file);
                return 0;
            } catch (IOException | ProvisioningException e) {
                System.err.println("peerline: backup failed: " + e.getMessage());
                return FAILURE;
            }
        }
    }

    /** {@code restore FILE --config FILE}: into a fresh install, or over one with --force (daemon stopped). */
    @Command(name = "restore", description = "Restore a backup: the configuration to --config FILE and the data"
            + " directory it names. Stop the daemon first.")
    static final class RestoreCmd implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "a backup written by 'peerline backup'")
        Path file;
        @Option(names = "--config", required = true, paramLabel = "FILE",
                description = "where the configuration goes (and is read from)")
        Path config;
        @Option(names = "--force", description = "replace existing users, phones and a different configuration")
        boolean force;

        @Override
        public Integer call() throws Exception {
            LogSetup.quiet();
            try {
                Backup.Summary s = Backup.restore(file, config, force, System.out::println);
                System.out.println("restored " + s.users() + " users, " + s.phones() + " phones and " + s.files()
                        + " files from " + file);
                return 0;
            } catch (IOException | ProvisioningException e) {
                System.err.println("peerline: restore failed: " + e.getMessage());
                return FAILURE;
            }
        }
    }

    /** The {@code --config FILE} option of the commands that read the configuration. */
    static final class ConfigFile {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: embedded)")
        Path file;

        PeerlineConfig load() throws ConfigException {
            return Main.load(file);
        }
    }

    /** A command that only groups sub-commands: given none, it prints its usage and exits 2. */
    abstract static class Group implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return BAD_CONFIG;
        }
    }

    /** Shared by the user sub-commands: open the store named by --config. */
    abstract static class UserBase implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigFile config;
        /** The configuration loaded from {@code config}, for {@link #run}. */
        PeerlineConfig cfg;

        @Override
        public final Integer call() throws Exception {
            LogSetup.quiet();
            cfg = config.load();
            try (Provisioning p = Provisioning.open(cfg.data(), cfg.site().domain())) {
                return run(p, new PrintWriter(System.out, true));
            } catch (ProvisioningException e) {
                System.err.println("peerline: " + e.getMessage());
                return FAILURE;
            }
        }

        abstract int run(Provisioning p, PrintWriter out) throws ProvisioningException, IOException;
    }

    @Command(name = "add", description = "Add a user (the password is stored only as a digest HA1).")
    static final class UserAdd extends UserBase {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--password", required = true, paramLabel = "P")
        String password;

        @Option(names = "--extension", paramLabel = "N")
        String extension;

        @Option(names = "--display", paramLabel = "NAME")
        String display;

        @Override
        int run(Provisioning p, PrintWriter out) throws ProvisioningException {
            User u = p.users().add(new NewUser(name, password, extension, display));
            out.println("added " + u.name() + (u.extension() == null ? "" : " (extension " + u.extension() + ")"));
            return 0;
        }
    }

    @Command(name = "overlay", description = "The P2P overlay: a running box's view of it, its CA, and the simulator.",
            subcommands = {OverlayCommands.Status.class, OverlayCommands.Routes.class, OverlayCommands.Neighbours.class,
                OverlayCommands.Records.class, OverlayCommands.Trace.class, OverlayCommands.Probe.class,
                OverlaySim.class, OverlayCaCmd.class})
    static final class OverlayCmd extends Group {
    }

    @Command(name = "federation", description = "Federate sites: create the federation, invite sites, join one.",
            subcommands = {FederationCommands.Init.class, FederationCommands.Invite.class, FederationCommands.Join.class})
    static final class FederationCmd extends Group {
    }

    @Command(name = "ca", description = "The overlay's certificate authority (on the first box only).",
            subcommands = {CaInit.class, CaIssue.class})
    static final class OverlayCaCmd extends Group {
    }

    /** Where a box keeps its overlay CA and its own overlay credentials, under the data directory. */
    static Path caDir(PeerlineConfig cfg) {
        return cfg.data().resolve("overlay").resolve("ca");
    }

    static Path nodeDir(PeerlineConfig cfg) {
        return cfg.data().resolve("overlay").resolve("node");
    }

    @Command(name = "init", description = "Create the overlay's CA (ECDSA P-256) in DATA/overlay/ca; the key never leaves it.")
    static final class CaInit implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigFile config;
        @Option(names = "--overlay", paramLabel = "NAME", defaultValue = "peerline",
                description = "the overlay's name, in every node certificate (default ${DEFAULT-VALUE})")
        String overlay;

        @Override
        public Integer call() throws Exception {
            LogSetup.quiet();
            PeerlineConfig cfg = config.load();
            Path dir = caDir(cfg);
            try {
                var ca = org.peerline.overlay.security.OverlayCa.create(overlay, dir);
                java.nio.file.Files.writeString(dir.resolve("overlay-name"), overlay + "\n");
                System.out.println("created the CA of overlay '" + overlay + "' in " + dir + " ("
                        + ca.certificate().getSubjectX500Principal() + ")");
                return 0;
            } catch (IOException e) {
                System.err.println("peerline: " + e.getMessage());
                return FAILURE;
            }
        }
    }

    @Command(name = "issue", description = "Issue a node certificate (random Node-ID) naming the SIP domains the box serves.")
    static final class CaIssue implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigFile config;
        @Option(names = "--site", required = true, paramLabel = "NAME", description = "the site's name")
        String site;
        @Option(names = "--domain", required = true, paramLabel = "DOMAIN",
                description = "a SIP domain the box serves (repeat for several)")
        List<String> domains;
        @Option(names = "--out", paramLabel = "DIR", description = "where to write node.key, node.crt, ca.crt"
                + " (default: this box's DATA/overlay/node)")
        Path out;
        @Option(names = "--days", defaultValue = "825", description = "validity in days (default ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() throws Exception {
            LogSetup.quiet();
            PeerlineConfig cfg = config.load();
            Path dir = caDir(cfg);
            if (!java.nio.file.Files.exists(dir.resolve("ca.key"))) {
                System.err.println("peerline: no overlay CA in " + dir + " (run 'peerline overlay ca init' on the first box)");
                return FAILURE;
            }
            for (String d : domains) {
                if (!d.matches("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                    System.err.println("peerline: '" + d + "' is not a domain name");
                    return BAD_CONFIG;
                }
            }
            if (days < 1 || days > 3650) {
                System.err.println("peerline: --days must be between 1 and 3650");
                return BAD_CONFIG;
            }
            String overlay = java.nio.file.Files.readString(dir.resolve("overlay-name")).trim();
            var ca = org.peerline.overlay.security.OverlayCa.load(overlay, dir);
            var creds = ca.issue(site, domains, java.time.Duration.ofDays(days));
            Path target = out != null ? out : nodeDir(cfg);
            creds.save(target);
            System.out.println("issued Node-ID " + creds.nodeId() + " for site " + site + " (" + String.join(", ",
                    creds.domains()) + "), valid " + days + " days, in " + target);
            return 0;
        }
    }

    /** {@code overlay sim}: the real node code over a simulated network, one JSON line of figures. */
    @Command(name = "sim", description = "Run the overlay workload (sipgw-dht-v1) in virtual time and print one JSON line:"
            + " N nodes join, K records are stored, then lookups at 20/s while nodes crash and are replaced.")
    static final class OverlaySim implements Callable<Integer> {
        @Option(names = "--nodes", defaultValue = "1000", description = "nodes kept alive (default ${DEFAULT-VALUE})")
        int nodes;
        @Option(names = "--minutes", defaultValue = "10", description = "virtual minutes of lookups with churn (default ${DEFAULT-VALUE})")
        double minutes;
        @Option(names = "--churn-per-minute", defaultValue = "0.1",
                description = "fraction of the nodes replaced per minute, 0.1 = 10%% (default ${DEFAULT-VALUE})")
        double churn;
        @Option(names = "--seed", defaultValue = "1", description = "seed of every random choice (default ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--records", defaultValue = "10000", description = "records stored before the lookups (default ${DEFAULT-VALUE})")
        int records;
        @Option(names = "--loss", defaultValue = "0", description = "probability that a TCP segment is lost and resent (default ${DEFAULT-VALUE})")
        double loss;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (nodes < 2 || minutes < 0 || churn < 0 || churn > 1 || records < 1 || loss < 0 || loss >= 1) {
                spec.commandLine().getErr().println("peerline: overlay sim needs --nodes >= 2, --minutes >= 0,"
                        + " 0 <= --churn-per-minute <= 1, --records >= 1, 0 <= --loss < 1");
                return BAD_CONFIG;
            }
            LogSetup.quiet();
            var result = new org.peerline.overlay.sim.Simulation(new org.peerline.overlay.sim.Simulation.Params(nodes,
                    minutes, churn, seed, records, 20, loss)).run();
            spec.commandLine().getOut().println(result.toJson());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "list", description = "List users.")
    static final class UserList extends UserBase {
        @Override
        int run(Provisioning p, PrintWriter out) {
            List<User> users = p.users().list();
            out.printf("%-24s %-10s %s%n", "NAME", "EXTENSION", "DISPLAY");
            for (User u : users) {
                out.printf("%-24s %-10s %s%n", u.name(), u.extension() == null ? "-" : u.extension(),
                        u.displayName() == null ? "" : u.displayName());
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a user.")
    static final class UserRemove extends UserBase {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        int run(Provisioning p, PrintWriter out) throws ProvisioningException {
            if (!p.users().remove(name)) {
                System.err.println("peerline: no user " + name);
                return FAILURE;
            }
            out.println("removed " + name);
            return 0;
        }
    }

    @Command(name = "import", description = "Add users from a CSV file with header name,password,extension,display"
            + " (all or nothing).")
    static final class UserImport extends UserBase {
        @Parameters(paramLabel = "FILE.csv")
        Path csv;

        @Override
        int run(Provisioning p, PrintWriter out) throws ProvisioningException, IOException {
            List<NewUser> users;
            try {
                users = UserCsv.read(csv);
            } catch (UserCsv.CsvException e) {
                System.err.println("peerline: " + e.getMessage());
                return BAD_CONFIG;
            }
            p.users().addAll(users);
            out.println("imported " + users.size() + " users from " + csv);
            return 0;
        }
    }
}
