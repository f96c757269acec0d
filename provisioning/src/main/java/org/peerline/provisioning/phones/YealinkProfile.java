package org.peerline.provisioning.phones;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Yealink {@code <mac>.cfg} (T4x/T5x and later firmware, version 82 or newer: {@code account.X.sip_server.Y.*} and
 * {@code account.X.codec.<payload_type>.*} keys). Time: standard offset, and daylight-saving time given explicitly
 * "by week" so that it does not depend on the phone's built-in zone table.
 */
final class YealinkProfile {
    /** Accounts written; Yealink models have 1-16, and the phone ignores accounts it lacks. */
    static final int MAX_LINES = 16;

    /** Yealink's own zone names, only where seen in use (the name is informative: the DST rule is explicit). */
    private static final Map<String, String> ZONE_NAMES = Map.of(
            "Europe/Paris", "France(Paris)",
            "Europe/Berlin", "Germany(Berlin)",
            "America/New_York", "United States-Eastern Time",
            "Asia/Kolkata", "India(Calcutta)");

    private YealinkProfile() {
    }

    static String render(String mac, List<ProfileLine> lines, ProfileSite site, ZoneSummary zone) {
        Context root = Accounts.root(mac, site)
                .put("transport", site.transport().equals("tcp") ? 1 : 0)
                .section("lines", Accounts.lines(lines, MAX_LINES, site))
                .section("unusedLines", Accounts.unused(lines.size(), MAX_LINES))
                .section("codecs", codecs(site.codecList()))
                .put("timeZone", timeZone(zone.standardOffset()))
                .put("summerTime", zone.dst() == null ? 0 : 1);
        String zoneName = ZONE_NAMES.get(site.timeZone().getId());
        root.optional("zoneName", zoneName != null, new Context().put("zone.name", String.valueOf(zoneName)));
        zone.daylightSaving().ifPresentOrElse(
                dst -> root.optional("dst", true, dst(dst, zone.standardOffset())),
                () -> root.optional("dst", false, new Context()));
        return Template.resource("yealink.cfg.tmpl").render(root, Escaping.CFG);
    }

    /** Every codec Peerline knows, the site's enabled in order of preference, the others disabled. */
    private static List<Context> codecs(List<Codec> preferred) {
        List<Context> items = new ArrayList<>();
        for (int i = 0; i < preferred.size(); i++) {
            items.add(codec(preferred.get(i), 1, i + 1));
        }
        for (Codec c : Codec.values()) {
            if (!preferred.contains(c)) {
                items.add(codec(c, 0, 0));
            }
        }
        return items;
    }

    private static Context codec(Codec codec, int enable, int priority) {
        return new Context().put("codec.key", codec.yealink).put("codec.enable", enable)
                .put("codec.priority", priority);
    }

    private static Context dst(ZoneSummary.Dst dst, ZoneOffset standard) {
        return new Context()
                .put("dst.start", byWeek(dst.start()))
                .put("dst.end", byWeek(dst.end()))
                .put("dst.offset", dst.savingMinutes(standard));
    }

    /** Returns Yealink's "by week" form: month/week of month (5 = last)/day of week (1 = Monday)/hour. */
    private static String byWeek(ZoneSummary.Change change) {
        return change.month().getValue() + "/" + change.week() + "/" + change.dayOfWeek().getValue() + "/"
                + change.hour();
    }

    /** Returns {@code local_time.time_zone}: {@code +1}, {@code -5}, {@code +5:30}, {@code 0}. */
    static String timeZone(ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        return total == 0 ? "0" : (total < 0 ? "-" : "+") + ZoneSummary.hoursMinutes(Math.abs(total));
    }
}
