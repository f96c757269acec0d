package org.peerline.provisioning.phones;

import java.util.ArrayList;
import java.util.List;

/**
 * Grandstream {@code cfg<mac>.xml}: {@code <gs_provision>} with one element per P-value. Accounts 1-4 use the
 * P-values of the GXP2130/2135/2140/2160/2170 configuration template; account 1's are irregular, accounts 2-4 follow
 * the pattern 401/501/601 (active), 402/502/602 (server) and so on. The time zone is a self-defined POSIX string.
 */
final class GrandstreamProfile {
    /** Accounts written; GXP2130 has 3, GXP2135/2140/2160/2170 more (5 and 6 use other P-values, not written). */
    static final int MAX_LINES = 4;

    /**
     * The P-values of one account.
     *
     * @param vocoders the eight "Preferred Vocoder" choices, first to last
     */
    private record Keys(int active, int name, int server, int userId, int authId, int password, int displayName,
                        int transport, int expires, List<Integer> vocoders) {
    }

    private static final List<Keys> ACCOUNTS = List.of(
            new Keys(271, 270, 47, 35, 36, 34, 3, 130, 32, List.of(57, 58, 59, 60, 61, 62, 46, 98)),
            regular(400), regular(500), regular(600));

    private GrandstreamProfile() {
    }

    static String render(String mac, List<ProfileLine> lines, ProfileSite site, ZoneSummary zone) {
        List<Context> accounts = Accounts.lines(lines, MAX_LINES, site);
        List<Integer> vocoders = site.codecList().stream().map(c -> c.grandstream).toList();
        for (int i = 0; i < accounts.size(); i++) {
            keys(accounts.get(i), ACCOUNTS.get(i)).section("vocoders", vocoders(ACCOUNTS.get(i), vocoders));
        }
        List<Context> unused = Accounts.unused(lines.size(), MAX_LINES);
        for (int i = 0; i < unused.size(); i++) {
            keys(unused.get(i), ACCOUNTS.get(accounts.size() + i));
        }
        Context root = Accounts.root(mac, site)
                .put("sipServerAndPort", site.sipServer() + ":" + site.sipPort())
                .put("transport", site.transport().equals("tcp") ? 1 : 0)
                .put("posixTz", zone.posix())
                .section("lines", accounts)
                .section("unusedLines", unused);
        return Template.resource("grandstream.xml.tmpl").render(root, Escaping.XML);
    }

    /** Returns the keys of accounts 2-4: {@code base} + 1 (active), + 17 (name), + 2 (server), ... */
    private static Keys regular(int base) {
        return new Keys(base + 1, base + 17, base + 2, base + 4, base + 5, base + 6, base + 7, base + 48, base + 12,
                List.of(base + 51, base + 52, base + 53, base + 54, base + 55, base + 56, base + 57, base + 58));
    }

    private static Context keys(Context account, Keys keys) {
        return account
                .put("p.active", keys.active())
                .put("p.name", keys.name())
                .put("p.server", keys.server())
                .put("p.userId", keys.userId())
                .put("p.authId", keys.authId())
                .put("p.password", keys.password())
                .put("p.displayName", keys.displayName())
                .put("p.transport", keys.transport())
                .put("p.expires", keys.expires());
    }

    /** Fills the eight choices with the site's codecs in order, repeating the last so no other codec is offered. */
    private static List<Context> vocoders(Keys keys, List<Integer> payloadTypes) {
        List<Context> choices = new ArrayList<>();
        for (int i = 0; i < keys.vocoders().size(); i++) {
            int payloadType = payloadTypes.get(Math.min(i, payloadTypes.size() - 1));
            choices.add(new Context().put("vocoder.p", keys.vocoders().get(i)).put("vocoder.value", payloadType));
        }
        return choices;
    }
}
