package org.peerline.appliance;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a cloud-init NoCloud seed asks of the box, read from its three files:
 * <ul>
 *   <li>{@code user-data}: a {@code #cloud-config} document; the box reads its {@code peerline:} map ({@code site},
 *       {@code domain}, {@code admin_password}) and {@code hostname}, and ignores every other cloud-config key
 *       (users, packages, ... are cloud-init's, which the appliance does not run);</li>
 *   <li>{@code meta-data}: {@code local-hostname} (used when user-data names no hostname);</li>
 *   <li>{@code network-config}: version 2 or 1, see {@link NetworkConfig}; without it the box uses DHCP.</li>
 * </ul>
 * Every value is checked before anything is applied; a bad seed is refused whole, with a message naming the file
 * and the key.
 *
 * @param hostname the machine's host name, or null to keep it
 * @param site the site name for {@code site.name}, or null to keep it
 * @param domain the SIP domain for {@code site.domain}, or null to keep it
 * @param adminPassword the admin page's password, or null (the page then asks for the setup code)
 * @param network the systemd-networkd files to write; empty: DHCP on every Ethernet interface
 * @param notes what was ignored, for the log
 */
record Seed(String hostname, String site, String domain, String adminPassword,
            List<NetworkConfig.NetworkdFile> network, List<String> notes) {
    static final String USER_DATA = "user-data";
    static final String META_DATA = "meta-data";
    /** As {@code site.name} in the gateway's configuration. */
    private static final Pattern SITE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** A DNS name, as {@code site.domain}. */
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final List<String> PEERLINE_KEYS = List.of("site", "domain", "admin_password");

    /**
     * Reads a seed from the text of its files (null for a file that is absent).
     *
     * @param interfaces the box's network interfaces (see {@link NetworkConfig#convert})
     */
    static Seed parse(String metaData, String userData, String networkConfig, List<String> interfaces)
            throws SeedException {
        List<String> notes = new java.util.ArrayList<>();
        String hostname = null;
        if (metaData != null && !metaData.isBlank()) {
            Map<String, Object> meta = Yaml.map(META_DATA, "meta-data", Yaml.load(META_DATA, metaData));
            if (meta != null) {
                hostname = Yaml.text(META_DATA, "local-hostname", meta.get("local-hostname"));
            }
        }
        String site = null;
        String domain = null;
        String password = null;
        if (userData != null && !userData.isBlank()) {
            if (!userData.stripLeading().startsWith("#cloud-config")) {
                notes.add("user-data is not a #cloud-config document: ignored (the appliance runs no scripts)");
            } else {
                Map<String, Object> user = Yaml.map(USER_DATA, "user-data", Yaml.load(USER_DATA, userData));
                user = user == null ? Map.of() : user;
                String h = Yaml.text(USER_DATA, "hostname", user.get("hostname"));
                hostname = h != null ? h : hostname;
                Map<String, Object> p = Yaml.map(USER_DATA, "peerline", user.get("peerline"));
                if (p != null) {
                    Yaml.onlyKeys(USER_DATA, "peerline", p, PEERLINE_KEYS);
                    site = check(Yaml.text(USER_DATA, "peerline.site", p.get("site")), SITE_NAME, "peerline.site",
                            "letters, digits, '.', '_' or '-', up to 63 characters");
                    domain = check(Yaml.text(USER_DATA, "peerline.domain", p.get("domain")), DOMAIN,
                            "peerline.domain", "a DNS domain name such as site-a.example");
                    password = password(Yaml.text(USER_DATA, "peerline.admin_password", p.get("admin_password")));
                } else {
                    notes.add("user-data has no 'peerline:' map: site, domain and admin password stay as they are");
                }
                for (String k : user.keySet()) {
                    if (!k.equals("peerline") && !k.equals("hostname")) {
                        notes.add("user-data key '" + k + "' ignored (the appliance does not run cloud-init)");
                    }
                }
            }
        }
        if (hostname != null) {
            hostname = check(hostname, DOMAIN, "hostname", "a host name such as peerline-a");
        }
        List<NetworkConfig.NetworkdFile> network = networkConfig == null || networkConfig.isBlank() ? List.of()
                : NetworkConfig.convert(Yaml.load(NetworkConfig.FILE, networkConfig), interfaces);
        return new Seed(hostname, site, domain == null ? null : domain.toLowerCase(java.util.Locale.ROOT), password,
                network, List.copyOf(notes));
    }

    private static String check(String value, Pattern p, String key, String expected) throws SeedException {
        if (value != null && !p.matcher(value).matches()) {
            throw new SeedException(key.equals("hostname") ? "user-data/meta-data" : USER_DATA,
                    "'" + key + "' must be " + expected + ", got '" + value + "'");
        }
        return value;
    }

    private static String password(String pw) throws SeedException {
        if (pw != null && (pw.length() < 8 || pw.length() > 128 || pw.contains("\n"))) {
            throw new SeedException(USER_DATA, "'peerline.admin_password' must be 8 to 128 characters on one line");
        }
        return pw;
    }
}
