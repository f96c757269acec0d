package org.peerline.provisioning.phones;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.peerline.provisioning.api.Vendor;
import org.peerline.provisioning.phones.ProfileRequest.Kind;

/**
 * Renders the configuration files desk phones fetch by MAC address, from the templates in this package's resource
 * folder. Each file starts with a comment saying Peerline generated it and that edits on the phone are overwritten
 * (XML files after their {@code <?xml ...?>} declaration, Yealink's after its mandatory {@code #!version} line).
 *
 * <p>Lines beyond what the vendor's format numbers are left out: Yealink 16, Polycom 34, Grandstream 4, Cisco SPA
 * 4. Account numbers a phone no longer uses are written as disabled (except for Polycom, whose files replace
 * rather than amend the phone's settings). Values are escaped for the format; a value that cannot be written
 * (a control character such as a line break) fails the rendering with an {@link IllegalArgumentException} naming
 * the field, never the value. Stateless and thread-safe.
 */
public final class Profiles {
    private Profiles() {
    }

    /**
     * Renders a file, taking the site's standard time offset now.
     *
     * @param request the file the phone asked for
     * @param vendor  the phone's vendor
     * @param model   the phone's model, or null; not used yet (every model of a vendor gets the same file)
     * @param lines   the phone's lines, line 1 first
     * @param site    the site's settings
     * @return the file's bytes (UTF-8), or empty if this vendor's phones do not fetch this kind of file (e.g.
     *         {@code spa<mac>.xml} of a Yealink)
     * @throws IllegalArgumentException if a value cannot be written in the file's format
     */
    public static Optional<byte[]> render(ProfileRequest request, Vendor vendor, String model, List<ProfileLine> lines,
                                          ProfileSite site) {
        return render(request, vendor, model, lines, site, Instant.now());
    }

    /**
     * Renders a file as {@link #render(ProfileRequest, Vendor, String, List, ProfileSite)} does, taking the site's
     * standard time offset at {@code now} (a zone's standard offset rarely changes; tests fix the instant).
     *
     * @param request the file the phone asked for
     * @param vendor  the phone's vendor
     * @param model   the phone's model, or null
     * @param lines   the phone's lines, line 1 first
     * @param site    the site's settings
     * @param now     the instant whose standard offset to use
     * @return the file's bytes, or empty if this vendor's phones do not fetch this kind of file
     */
    public static Optional<byte[]> render(ProfileRequest request, Vendor vendor, String model, List<ProfileLine> lines,
                                          ProfileSite site, Instant now) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(site, "site");
        List<ProfileLine> phoneLines = List.copyOf(lines);
        if (!kinds(vendor).contains(request.kind())) {
            return Optional.empty();
        }
        ZoneSummary zone = ZoneSummary.of(site.timeZone(), Objects.requireNonNull(now, "now"));
        String mac = request.mac();
        String text = switch (vendor) {
            case YEALINK -> YealinkProfile.render(mac, phoneLines, site, zone);
            case POLYCOM -> request.kind() == Kind.MAC_CFG
                    ? PolycomProfile.renderMaster(mac)
                    : PolycomProfile.renderSettings(mac, phoneLines, site, zone);
            case GRANDSTREAM -> GrandstreamProfile.render(mac, phoneLines, site, zone);
            case CISCO -> CiscoSpaProfile.render(mac, phoneLines, site, zone);
        };
        return Optional.of(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Returns the kinds of file a vendor's phones fetch.
     *
     * @param vendor the vendor
     * @return Yealink {@code MAC_CFG}; Polycom {@code MAC_CFG} and {@code POLYCOM_SETTINGS}; Grandstream
     *         {@code GRANDSTREAM_XML}; Cisco {@code CISCO_SPA_XML}
     */
    public static Set<Kind> kinds(Vendor vendor) {
        return switch (Objects.requireNonNull(vendor, "vendor")) {
            case YEALINK -> EnumSet.of(Kind.MAC_CFG);
            case POLYCOM -> EnumSet.of(Kind.MAC_CFG, Kind.POLYCOM_SETTINGS);
            case GRANDSTREAM -> EnumSet.of(Kind.GRANDSTREAM_XML);
            case CISCO -> EnumSet.of(Kind.CISCO_SPA_XML);
        };
    }

    /**
     * Returns the HTTP content type to serve a kind of file with. {@code <mac>.cfg} is {@code text/plain}: it is
     * Yealink's key-value format, and Polycom phones, whose master file shares the name, ignore the type.
     *
     * @param kind the kind of file
     * @return {@code text/plain} or {@code application/xml}
     */
    public static String contentType(Kind kind) {
        return Objects.requireNonNull(kind, "kind") == Kind.MAC_CFG ? "text/plain" : "application/xml";
    }
}
