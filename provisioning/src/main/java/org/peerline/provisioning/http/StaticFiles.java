package org.peerline.provisioning.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The admin page: plain HTML, CSS and JavaScript from the jar ({@code org/peerline/provisioning/web/}), no build step
 * and no outside resources. {@code /} is {@code index.html}; {@code /ui/NAME} serves the file NAME (letters, digits
 * and dashes, then {@code .html}, {@code .js}, {@code .css} or {@code .svg}). Files are read once and cached.
 */
final class StaticFiles {
    static final String PREFIX = "/ui/";
    private static final String ROOT = "org/peerline/provisioning/web/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,64}\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");
    /**
     * Only our own files run: no inline scripts or styles, no outside origins, no framing (clickjacking), forms and
     * requests to this origin only.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final Map<String, Optional<Response>> cache = new ConcurrentHashMap<>();

    /** Returns whether {@code path} is one of the page's paths. */
    static boolean isPagePath(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith(PREFIX);
    }

    /** The file for {@code path}, or empty (404). */
    Optional<Response> get(String path) {
        String name = path.equals("/") || path.equals("/index.html") ? "index.html" : path.substring(PREFIX.length());
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(name, StaticFiles::load);
    }

    private static Optional<Response> load(String name) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return Optional.empty();
            }
            String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
            return Optional.of(new Response(200, in.readAllBytes(), Map.of("Content-Type", type,
                    "Content-Security-Policy", CSP, "X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + ROOT + name + " from the jar", e);
        }
    }
}
