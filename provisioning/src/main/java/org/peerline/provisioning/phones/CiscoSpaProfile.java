package org.peerline.provisioning.phones;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * Cisco SPA {@code spa<mac>.xml}: a {@code <flat-profile>} with the SPA50x/SPA30x parameter names, lines numbered
 * {@code _1_} to {@code _4_}. Codecs: preferred, second and third choice. Time: {@code GMT+hh:mm} plus a
 * daylight-saving rule ({@code start=month/day/weekday/time;end=...;save=...}).
 */
final class CiscoSpaProfile {
    /** Lines written: SPA504G and SPA514G have 4 (SPA502G/SPA512G 1, SPA303 3). */
    static final int MAX_LINES = 4;

    private CiscoSpaProfile() {
    }

    static String render(String mac, List<ProfileLine> lines, ProfileSite site, ZoneSummary zone) {
        List<Codec> codecs = site.codecList();
        Context root = Accounts.root(mac, site)
                .put("transport", site.transport().toUpperCase(Locale.ROOT))
                .put("codec1", codecs.get(0).cisco)
                .put("codec2", codecs.size() > 1 ? codecs.get(1).cisco : "Unspecified")
                .put("codec3", codecs.size() > 2 ? codecs.get(2).cisco : "Unspecified")
                .section("lines", Accounts.lines(lines, MAX_LINES, site))
                .section("unusedLines", Accounts.unused(lines.size(), MAX_LINES))
                .put("timeZone", timeZone(zone.standardOffset()))
                .put("dstEnable", zone.dst() == null ? "No" : "Yes");
        root.section("dst", zone.daylightSaving()
                .map(dst -> List.of(new Context().put("dst.rule", rule(dst, zone.standardOffset()))))
                .orElse(List.of()));
        return Template.resource("cisco-spa.xml.tmpl").render(root, Escaping.XML);
    }

    /** Returns {@code Time_Zone}: {@code GMT+01:00}, {@code GMT-05:00}, {@code GMT+05:30}, or {@code GMT}. */
    static String timeZone(ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        int s = Math.abs(total);
        return total == 0 ? "GMT" : String.format(Locale.ROOT, "GMT%s%02d:%02d", total < 0 ? "-" : "+",
                s / 3600, s / 60 % 60);
    }

    /** Returns e.g. {@code start=3/-1/7/02:00:00;end=10/-1/7/03:00:00;save=1}. */
    private static String rule(ZoneSummary.Dst dst, ZoneOffset standard) {
        int save = dst.offset().getTotalSeconds() - standard.getTotalSeconds();
        return "start=" + change(dst.start()) + ";end=" + change(dst.end()) + ";save="
                + (save < 0 ? "-" : "") + ZoneSummary.hoursMinutes(Math.abs(save));
    }

    /** Returns month/day/weekday/time: day -1 is the month's last such weekday, weekday 1 is Monday. */
    private static String change(ZoneSummary.Change change) {
        int day = change.lastInMonth() ? -1 : change.dayOfMonth();
        return change.month().getValue() + "/" + day + "/" + change.dayOfWeek().getValue() + "/"
                + change.hms();
    }
}
