package org.peerline.gateway.daemon;

import java.security.SecureRandom;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.Provisioning;
import org.peerline.provisioning.api.ProvisioningException;

/** The first-run experience on embedded defaults: two demo users and instructions on the console. */
final class Demo {
    private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

    private Demo() {
    }

    /** On embedded defaults with an empty user store, adds alice (2001) and bob (2002) with random passwords. */
    static void seedUsers(PeerlineConfig cfg) throws ProvisioningException {
        try (Provisioning p = Provisioning.open(cfg.data(), cfg.site().domain())) {
            if (!p.users().list().isEmpty()) {
                return;
            }
            SecureRandom r = new SecureRandom();
            for (String[] u : new String[][] {{"alice", "2001", "Alice"}, {"bob", "2002", "Bob"}}) {
                String pw = password(r);
                p.users().add(new NewUser(u[0], pw, u[1], u[2]));
                System.out.printf("created demo user %-6s extension %s password %s%n", u[0], u[1], pw);
            }
        }
    }

    static void printWelcome(PeerlineConfig cfg, Peerline p, boolean embedded) {
        String sip = p.sip().listening().stream().filter(s -> !s.contains("127.0.0.1")).findFirst()
                .orElse(p.sip().listening().get(0));
        String hostPort = sip.substring(sip.indexOf(':') + 1);
        var admin = p.admin().address();
        System.out.println();
        System.out.println("Peerline is running: site " + cfg.site().name() + ", SIP domain " + cfg.site().domain());
        System.out.println("  SIP on   " + String.join(", ", p.sip().listening()));
        System.out.println("  admin    http://" + admin.getHostString() + ":" + admin.getPort() + "/api/users");
        if (p.adminPage() != null) {
            String host = p.adminPage().getAddress().isAnyLocalAddress()
                    ? org.peerline.gateway.sip.LocalAddress.forMedia(cfg.sip()) : p.adminPage().getHostString();
            System.out.println("  page     https://" + host + ":" + p.adminPage().getPort() + "/   (self-signed certificate)");
            if (p.admin().setupCode() != null) {
                System.out.println("           first visit: set the admin password with the setup code "
                        + p.admin().setupCode());
            }
        }
        var relay = cfg.relay();
        System.out.println("  media    " + (relay == null ? "direct between phones (relay: { enabled: false })"
                : "relayed at " + relay.address() + ", UDP " + relay.portMin() + "-" + relay.portMax()
                + " (relay.address to change it)"));
        var dns = cfg.dns();
        if (dns != null && dns.embedded()) {
            System.out.println("  DNS      zone " + dns.zone() + " on " + dns.listen().host() + ":" + dns.listen().port()
                    + " (try: dig @" + dns.listen().host() + " -p " + dns.listen().port() + " NAPTR " + cfg.site().domain()
                    + ")");
        } else if (dns != null) {
            System.out.println("  DNS      zone " + dns.zone() + " written to " + dns.server().host() + ":"
                    + dns.server().port() + " (RFC 2136)");
        }
        System.out.println("  data in  " + cfg.data().toAbsolutePath());
        System.out.println();
        System.out.println("Register a softphone (e.g. Linphone, baresip, or a desk phone):");
        System.out.println("  username / auth user : alice   (or any user from 'peerline user list')");
        System.out.println("  password             : " + (embedded ? "as printed when the user was created"
                : "the user's password"));
        System.out.println("  domain               : " + cfg.site().domain());
        System.out.println("  registrar / proxy    : " + hostPort + " (UDP or TCP)");
        System.out.println("Then dial another user by name or extension (alice 2001, bob 2002 on the demo).");
        System.out.println("Add users: java -jar gateway/target/peerline.jar user add NAME --password P"
                + " --extension N" + (cfg.source() == null ? "" : " --config " + cfg.source()));
        System.out.println("Stop with Ctrl-C (SIGTERM).");
    }

    private static String password(SecureRandom r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
