package org.peerline.appliance;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * cloud-init's {@code network-config} (version 2, the netplan-like form, or version 1, which Proxmox writes) turned
 * into systemd-networkd {@code .network} files. Only Ethernet interfaces are understood: addresses, DHCP, gateways,
 * routes, DNS servers and search domains, MTU. Bonds, bridges and VLANs are refused with a message, so that a seed
 * never half-applies.
 *
 * <p>An interface is matched by MAC address when the seed gives one, else by name. A seed written for another machine
 * often names {@code eth0} where the box has {@code ens3}: when the seed has a single interface, no MAC, and a name
 * the box does not have, it applies to the box's first Ethernet interface.
 */
final class NetworkConfig {
    static final String FILE = "network-config";
    private static final Pattern IP = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern MAC = Pattern.compile("([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.*?-]{1,15}");
    private static final Pattern SEARCH = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

    /** One generated file: its name in {@code /etc/systemd/network} and its content. */
    record NetworkdFile(String name, String content) {
    }

    private NetworkConfig() {
    }

    /**
     * Converts the parsed {@code network-config} document.
     *
     * @param doc the YAML document (null: nothing to do)
     * @param interfaces the box's network interface names, to match a seed written for other names
     * @return the .network files; empty when the seed leaves the network alone ({@code config: disabled})
     */
    static List<NetworkdFile> convert(Object doc, List<String> interfaces) throws SeedException {
        Map<String, Object> root = Yaml.map(FILE, "network-config", doc);
        if (root == null) {
            return List.of();
        }
        if (root.size() == 1 && root.containsKey("network")) {
            root = Yaml.map(FILE, "network", root.get("network"));
        }
        if ("disabled".equals(root.get("config"))) {
            return List.of();
        }
        String version = Yaml.text(FILE, "version", root.get("version"));
        if ("2".equals(version)) {
            return version2(root, interfaces);
        }
        if ("1".equals(version)) {
            return version1(root, interfaces);
        }
        throw new SeedException(FILE, "'version' must be 1 or 2, got " + version);
    }

    private static List<NetworkdFile> version2(Map<String, Object> root, List<String> interfaces)
            throws SeedException {
        Yaml.onlyKeys(FILE, "network", root, List.of("version", "ethernets", "renderer"));
        Map<String, Object> ethernets = Yaml.map(FILE, "ethernets", root.get("ethernets"));
        List<NetworkdFile> files = new ArrayList<>();
        if (ethernets == null) {
            return files;
        }
        for (Map.Entry<String, Object> e : ethernets.entrySet()) {
            String id = e.getKey();
            String where = "ethernets." + id;
            Map<String, Object> eth = Yaml.map(FILE, where, e.getValue());
            if (eth == null) {
                eth = Map.of();
            }
            Yaml.onlyKeys(FILE, where, eth, List.of("match", "set-name", "dhcp4", "dhcp6", "addresses", "gateway4",
                    "gateway6", "routes", "nameservers", "mtu", "optional", "accept-ra"));
            Unit u = new Unit();
            Map<String, Object> match = Yaml.map(FILE, where + ".match", eth.get("match"));
            if (match != null) {
                Yaml.onlyKeys(FILE, where + ".match", match, List.of("name", "macaddress", "driver"));
                u.mac = mac(where + ".match.macaddress", match.get("macaddress"));
                u.name = ifname(where + ".match.name", match.get("name"));
                if (match.containsKey("driver")) {
                    u.driver = ifname(where + ".match.driver", match.get("driver"));
                }
            } else {
                u.name = ifname(where, id);
            }
            if (match == null && ethernets.size() == 1) {
                u.name = orFirstEthernet(u.name, interfaces);
            }
            u.dhcp4 = Boolean.TRUE.equals(Yaml.bool(FILE, where + ".dhcp4", eth.get("dhcp4")));
            u.dhcp6 = Boolean.TRUE.equals(Yaml.bool(FILE, where + ".dhcp6", eth.get("dhcp6")));
            List<?> addresses = Yaml.list(FILE, where + ".addresses", eth.get("addresses"));
            for (Object a : addresses == null ? List.of() : addresses) {
                u.addresses.add(cidr(where + ".addresses", Yaml.text(FILE, where + ".addresses", a)));
            }
            for (String g : new String[] {"gateway4", "gateway6"}) {
                String gw = Yaml.text(FILE, where + "." + g, eth.get(g));
                if (gw != null) {
                    u.gateways.add(ip(where + "." + g, gw));
                }
            }
            List<?> routes = Yaml.list(FILE, where + ".routes", eth.get("routes"));
            for (Object r : routes == null ? List.of() : routes) {
                Map<String, Object> route = Yaml.map(FILE, where + ".routes", r);
                Yaml.onlyKeys(FILE, where + ".routes[]", route, List.of("to", "via", "metric", "on-link"));
                u.route(where + ".routes", Yaml.text(FILE, "to", route.get("to")),
                        Yaml.text(FILE, "via", route.get("via")), Yaml.text(FILE, "metric", route.get("metric")));
            }
            Map<String, Object> ns = Yaml.map(FILE, where + ".nameservers", eth.get("nameservers"));
            if (ns != null) {
                Yaml.onlyKeys(FILE, where + ".nameservers", ns, List.of("addresses", "search"));
                u.nameservers(where + ".nameservers", ns.get("addresses"), ns.get("search"));
            }
            u.mtu = mtu(where + ".mtu", eth.get("mtu"));
            u.acceptRa = Yaml.bool(FILE, where + ".accept-ra", eth.get("accept-ra"));
            files.add(u.file(files.size(), id));
        }
        return files;
    }

    private static List<NetworkdFile> version1(Map<String, Object> root, List<String> interfaces)
            throws SeedException {
        List<?> config = Yaml.list(FILE, "config", root.get("config"));
        List<Unit> units = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Object> dns = new ArrayList<>();
        List<Object> search = new ArrayList<>();
        for (Object o : config == null ? List.of() : config) {
            Map<String, Object> item = Yaml.map(FILE, "config[]", o);
            String type = Yaml.text(FILE, "config[].type", item.get("type"));
            if ("nameserver".equals(type)) {
                dns.addAll(listOrEmpty("config[].address", item.get("address")));
                search.addAll(listOrEmpty("config[].search", item.get("search")));
                continue;
            }
            if (!"physical".equals(type)) {
                throw new SeedException(FILE, "config[].type '" + type + "' is not supported (physical and"
                        + " nameserver are)");
            }
            String name = Yaml.text(FILE, "config[].name", item.get("name"));
            String where = "config[" + name + "]";
            Unit u = new Unit();
            u.mac = mac(where + ".mac_address", item.get("mac_address"));
            u.name = u.mac == null ? ifname(where + ".name", name) : null;
            u.mtu = mtu(where + ".mtu", item.get("mtu"));
            List<?> subnets = Yaml.list(FILE, where + ".subnets", item.get("subnets"));
            for (Object s : subnets == null ? List.of() : subnets) {
                subnet(where + ".subnets", Yaml.map(FILE, where + ".subnets[]", s), u);
            }
            units.add(u);
            ids.add(name);
        }
        if (units.size() == 1 && units.get(0).mac == null) {
            units.get(0).name = orFirstEthernet(units.get(0).name, interfaces);
        }
        List<NetworkdFile> files = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            units.get(i).nameservers("config[].nameserver", dns, search);
            files.add(units.get(i).file(i, ids.get(i)));
        }
        return files;
    }

    private static void subnet(String where, Map<String, Object> s, Unit u) throws SeedException {
        String type = Yaml.text(FILE, where + ".type", s.get("type"));
        switch (type == null ? "" : type) {
            case "dhcp", "dhcp4" -> u.dhcp4 = true;
            case "dhcp6" -> u.dhcp6 = true;
            case "static", "static6" -> {
                String address = Yaml.text(FILE, where + ".address", s.get("address"));
                String netmask = Yaml.text(FILE, where + ".netmask", s.get("netmask"));
                if (address != null && !address.contains("/")) {
                    if (netmask == null) {
                        throw new SeedException(FILE, where + ".address " + address + " needs a /prefix or a netmask");
                    }
                    address = address + "/" + (netmask.contains(".") ? prefixOf(where + ".netmask", netmask) : netmask);
                }
                u.addresses.add(cidr(where + ".address", address));
                String gw = Yaml.text(FILE, where + ".gateway", s.get("gateway"));
                if (gw != null) {
                    u.gateways.add(ip(where + ".gateway", gw));
                }
                u.nameservers(where, s.get("dns_nameservers"), s.get("dns_search"));
            }
            default -> throw new SeedException(FILE, where + ".type '" + type + "' is not supported (static, static6,"
                    + " dhcp, dhcp4, dhcp6 are)");
        }
    }

    /** A .network file being assembled. */
    private static final class Unit {
        String name;
        String mac;
        String driver;
        boolean dhcp4;
        boolean dhcp6;
        Integer mtu;
        Boolean acceptRa;
        final List<String> addresses = new ArrayList<>();
        final List<String> gateways = new ArrayList<>();
        final List<String> dns = new ArrayList<>();
        final List<String> domains = new ArrayList<>();
        final List<String[]> routes = new ArrayList<>();

        void route(String where, String to, String via, String metric) throws SeedException {
            String dest = to == null || to.equals("default") ? null : to;
            if (dest != null && (dest.equals("0.0.0.0/0") || dest.equals("::/0"))) {
                dest = null;
            }
            if (via == null) {
                throw new SeedException(FILE, where + " needs 'via'");
            }
            if (metric != null && !metric.matches("[0-9]{1,9}")) {
                throw new SeedException(FILE, where + ".metric must be a number, got " + metric);
            }
            routes.add(new String[] {dest == null ? null : cidr(where + ".to", dest), ip(where + ".via", via), metric});
        }

        void nameservers(String where, Object addresses, Object search) throws SeedException {
            for (Object a : listOrEmpty(where + ".addresses", addresses)) {
                String ip = ip(where + ".addresses", Yaml.text(FILE, where, a));
                if (!dns.contains(ip)) {
                    dns.add(ip);
                }
            }
            for (Object d : listOrEmpty(where + ".search", search)) {
                String domain = Yaml.text(FILE, where + ".search", d);
                if (!SEARCH.matcher(domain).matches()) {
                    throw new SeedException(FILE, where + ".search: not a domain name: " + domain);
                }
                if (!domains.contains(domain)) {
                    domains.add(domain);
                }
            }
        }

        NetworkdFile file(int index, String id) {
            StringBuilder b = new StringBuilder();
            b.append("# Written at first boot from the NoCloud seed's network-config (").append(id).append(").\n");
            b.append("[Match]\n");
            if (mac != null) {
                b.append("MACAddress=").append(mac).append('\n');
            }
            if (name != null) {
                b.append("Name=").append(name).append('\n');
            }
            if (driver != null) {
                b.append("Driver=").append(driver).append('\n');
            }
            if (mtu != null) {
                b.append("\n[Link]\nMTUBytes=").append(mtu).append('\n');
            }
            b.append("\n[Network]\n");
            b.append("DHCP=").append(dhcp4 && dhcp6 ? "yes" : dhcp4 ? "ipv4" : dhcp6 ? "ipv6" : "no").append('\n');
            if (acceptRa != null) {
                b.append("IPv6AcceptRA=").append(acceptRa ? "yes" : "no").append('\n');
            }
            addresses.forEach(a -> b.append("Address=").append(a).append('\n'));
            gateways.forEach(g -> b.append("Gateway=").append(g).append('\n'));
            dns.forEach(d -> b.append("DNS=").append(d).append('\n'));
            if (!domains.isEmpty()) {
                b.append("Domains=").append(String.join(" ", domains)).append('\n');
            }
            for (String[] r : routes) {
                b.append("\n[Route]\n");
                if (r[0] != null) {
                    b.append("Destination=").append(r[0]).append('\n');
                }
                b.append("Gateway=").append(r[1]).append('\n');
                if (r[2] != null) {
                    b.append("Metric=").append(r[2]).append('\n');
                }
            }
            String safeId = id.replaceAll("[^A-Za-z0-9_.-]", "_");
            return new NetworkdFile(String.format(Locale.ROOT, "10-cidata-%02d-%s.network", index, safeId),
                    b.toString());
        }
    }

    private static List<?> listOrEmpty(String where, Object value) throws SeedException {
        List<?> l = Yaml.list(FILE, where, value);
        return l == null ? List.of() : l;
    }

    /** The seed's interface name, or the box's first Ethernet interface when the box has no interface of that name. */
    private static String orFirstEthernet(String name, List<String> interfaces) {
        if (name == null || name.contains("*") || interfaces.contains(name)) {
            return name;
        }
        return interfaces.stream().filter(i -> i.startsWith("en") || i.startsWith("eth")).sorted().findFirst()
                .orElse(name);
    }

    private static String ifname(String where, Object value) throws SeedException {
        String name = Yaml.text(FILE, where, value);
        if (name == null) {
            return null;
        }
        if (!IFNAME.matcher(name).matches()) {
            throw new SeedException(FILE, where + ": not an interface name: " + name);
        }
        return name;
    }

    private static String mac(String where, Object value) throws SeedException {
        String mac = Yaml.text(FILE, where, value);
        if (mac == null) {
            return null;
        }
        if (!MAC.matcher(mac).matches()) {
            throw new SeedException(FILE, where + ": not a MAC address: " + mac);
        }
        return mac.toLowerCase(Locale.ROOT);
    }

    private static Integer mtu(String where, Object value) throws SeedException {
        String mtu = Yaml.text(FILE, where, value);
        if (mtu == null) {
            return null;
        }
        if (!mtu.matches("[0-9]{3,5}") || Integer.parseInt(mtu) < 576 || Integer.parseInt(mtu) > 65535) {
            throw new SeedException(FILE, where + " must be between 576 and 65535, got " + mtu);
        }
        return Integer.parseInt(mtu);
    }

    /** An IPv4 or IPv6 address literal (never a name: nothing is looked up). */
    static String ip(String where, String value) throws SeedException {
        if (value == null || !IP.matcher(value).matches() || !(value.contains(".") || value.contains(":"))
                || !validLiteral(value)) {
            throw new SeedException(FILE, where + ": not an IP address: " + value);
        }
        return value;
    }

    private static boolean validLiteral(String value) {
        if (value.contains(":")) {
            return value.matches("[0-9A-Fa-f:.]{2,45}") && value.chars().filter(c -> c == ':').count() >= 2;
        }
        String[] parts = value.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An address with its prefix length, {@code 192.0.2.10/24} or {@code 2001:db8::10/64}. */
    static String cidr(String where, String value) throws SeedException {
        int slash = value == null ? -1 : value.indexOf('/');
        if (slash < 0) {
            throw new SeedException(FILE, where + ": an address needs its prefix length, e.g. 192.0.2.10/24, got "
                    + value);
        }
        String ip = ip(where, value.substring(0, slash));
        String prefix = value.substring(slash + 1);
        int max = ip.contains(":") ? 128 : 32;
        if (!prefix.matches("[0-9]{1,3}") || Integer.parseInt(prefix) > max) {
            throw new SeedException(FILE, where + ": bad prefix length in " + value);
        }
        return ip + "/" + prefix;
    }

    /** The prefix length of a dotted netmask such as {@code 255.255.255.0}. */
    static int prefixOf(String where, String netmask) throws SeedException {
        ip(where, netmask);
        long bits = 0;
        for (String p : netmask.split("\\.")) {
            bits = bits << 8 | Integer.parseInt(p);
        }
        int prefix = Long.bitCount(bits);
        if (bits != ((0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL)) {
            throw new SeedException(FILE, where + ": not a netmask: " + netmask);
        }
        return prefix;
    }
}
