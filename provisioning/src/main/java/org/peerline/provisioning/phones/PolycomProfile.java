package org.peerline.provisioning.phones;

import java.util.Arrays;
import java.util.List;

/**
 * Polycom UC Software: {@code <mac>.cfg} is the master configuration file, which names the application
 * ({@code sip.ld}) and one configuration file, {@code <mac>-peerline.cfg}, holding the registrations, codec
 * preferences and time settings.
 */
final class PolycomProfile {
    /** Registrations written: UC Software numbers them {@code reg.1} to {@code reg.34}, by model. */
    static final int MAX_LINES = 34;

    private PolycomProfile() {
    }

    static String renderMaster(String mac) {
        return Template.resource("polycom-master.cfg.tmpl").render(new Context().put("mac", mac), Escaping.XML);
    }

    static String renderSettings(String mac, List<ProfileLine> lines, ProfileSite site, ZoneSummary zone) {
        List<Context> changes = zone.daylightSaving()
                .map(dst -> List.of(change("start", dst.start()), change("stop", dst.end())))
                .orElse(List.of());
        Context root = Accounts.root(mac, site)
                .put("transport", site.transport().equals("tcp") ? "TCPOnly" : "UDPOnly")
                .section("lines", Accounts.lines(lines, MAX_LINES, site))
                .section("codecs", codecs(site.codecList()))
                .put("gmtOffset", zone.standardOffset().getTotalSeconds())
                .put("dstEnable", zone.dst() == null ? 0 : 1)
                .optional("dst", zone.dst() != null, new Context())
                .section("dstChanges", changes);
        return Template.resource("polycom-settings.cfg.tmpl").render(root, Escaping.XML);
    }

    /** Every codec Peerline knows: the site's with their rank (1 = preferred), the others 0 (not offered). */
    private static List<Context> codecs(List<Codec> preferred) {
        return Arrays.stream(Codec.values())
                .map(c -> new Context().put("codec.key", c.polycom).put("codec.priority", preferred.indexOf(c) + 1))
                .toList();
    }

    /**
     * Returns one DST change in Polycom's terms: month, the day of month the weekday falls on or after, hour,
     * weekday (1 = Sunday) and whether it is the last such weekday of the month.
     */
    private static Context change(String which, ZoneSummary.Change change) {
        return new Context()
                .put("change.which", which)
                .put("change.month", change.month().getValue())
                .put("change.date", change.dayOfMonth() > 0 ? change.dayOfMonth() : 1)
                .put("change.time", change.hour())
                .put("change.dayOfWeek", change.dayOfWeek().getValue() % 7 + 1)
                .put("change.last", change.lastInMonth() ? 1 : 0);
    }
}
