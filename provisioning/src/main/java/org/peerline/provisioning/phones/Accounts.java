package org.peerline.provisioning.phones;

import java.util.ArrayList;
import java.util.List;

/** The template names every vendor's file shares: the phone, the site and one item per line. */
final class Accounts {
    private Accounts() {
    }

    /**
     * Returns the outermost names: {@code mac}, {@code domain}, {@code sipServer}, {@code sipPort},
     * {@code ntpServer}.
     */
    static Context root(String mac, ProfileSite site) {
        return new Context()
                .put("mac", mac)
                .put("domain", site.domain())
                .put("sipServer", site.sipServer())
                .put("sipPort", site.sipPort())
                .put("ntpServer", site.ntpServer());
    }

    /**
     * Returns one item per line, at most {@code max} (the rest are dropped), binding {@code line.n} (1-based),
     * {@code line.user}, {@code line.password}, {@code line.label}, {@code line.displayName} and
     * {@code line.address} ({@code user@domain}).
     */
    static List<Context> lines(List<ProfileLine> lines, int max, ProfileSite site) {
        List<Context> items = new ArrayList<>();
        for (int i = 0; i < Math.min(lines.size(), max); i++) {
            ProfileLine line = lines.get(i);
            items.add(new Context()
                    .put("line.n", i + 1)
                    .put("line.user", line.user())
                    .put("line.password", line.password())
                    .put("line.label", line.label())
                    .put("line.displayName", line.shownName())
                    .put("line.address", line.user() + "@" + site.domain()));
        }
        return items;
    }

    /**
     * Returns one item, binding {@code line.n}, for each line number after the {@code used} ones up to {@code max}:
     * phones keep provisioned values until told otherwise, so accounts a phone no longer has must be disabled.
     */
    static List<Context> unused(int used, int max) {
        List<Context> items = new ArrayList<>();
        for (int n = Math.min(used, max) + 1; n <= max; n++) {
            items.add(new Context().put("line.n", n));
        }
        return items;
    }
}
