package org.peerline.appliance;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets {@code site.name} and {@code site.domain} in the text of the gateway's YAML configuration, leaving every other
 * line (and the administrator's comments) as it was: the top-level {@code site:} entry, in flow or block style, is
 * replaced by one line {@code site: { name: N, domain: D }}; without one, that line is added after the leading
 * comments. The caller validates the result with the gateway's own loader.
 */
final class SiteConfig {
    private SiteConfig() {
    }

    /** {@code yaml} with its {@code site:} entry set to {@code name} and {@code domain} (both already checked). */
    static String withSite(String yaml, String name, String domain) {
        String line = "site: { name: " + name + ", domain: " + domain + " }";
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("site\\s*:.*")) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            int insert = 0;
            while (insert < lines.size() && lines.get(insert).startsWith("#")) {
                insert++;
            }
            lines.add(insert, line);
        } else {
            int end = at + 1;
            while (end < lines.size() && (lines.get(end).startsWith(" ") || lines.get(end).startsWith("\t"))) {
                end++;
            }
            lines.subList(at, end).clear();
            lines.add(at, line);
        }
        return String.join("\n", lines);
    }
}
