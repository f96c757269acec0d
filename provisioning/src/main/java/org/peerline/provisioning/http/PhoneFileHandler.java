package org.peerline.provisioning.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.peerline.provisioning.api.PhoneFiles;

/**
 * Serves {@code GET /provision/<file>} to desk phones, without the admin token (phones cannot send one): the file,
 * 404 (unknown MAC or not a phone file; the same answer whatever the reason), or 429 when the client asks too often.
 */
final class PhoneFileHandler implements HttpHandler {
    static final String PREFIX = "/provision/";

    private final PhoneFiles files;
    /** Null: no HTTP authentication (the default; phones find the box by DHCP option 66 alone). */
    private final PhoneDigest digest;

    PhoneFileHandler(PhoneFiles files, boolean requireDigest) {
        this.files = files;
        this.digest = requireDigest ? new PhoneDigest(System::currentTimeMillis) : null;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                text(exchange, 405, "phone files are read-only\n", method);
                return;
            }
            if (path == null || !path.startsWith(PREFIX) || path.indexOf('%') >= 0) {
                text(exchange, 404, "no such file\n", method);
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String uri = exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
                    : "?" + exchange.getRequestURI().getRawQuery());
            PhoneDigest.Verdict[] verdict = {PhoneDigest.Verdict.OK};
            PhoneFiles.Result result = files.read(path.substring(PREFIX.length()),
                    exchange.getRemoteAddress().getAddress(), phone -> digest == null
                            || (verdict[0] = digest.check(authorization, "GET", uri, phone)) == PhoneDigest.Verdict.OK);
            if (result instanceof PhoneFiles.Unauthorized) {
                exchange.getResponseHeaders().set("WWW-Authenticate",
                        digest.challenge(verdict[0] == PhoneDigest.Verdict.STALE));
                text(exchange, 401, "authenticate as the phone: user name its MAC, password its SIP password\n",
                        method);
                return;
            }
            if (result instanceof PhoneFiles.Found found) {
                exchange.getResponseHeaders().set("Content-Type", found.contentType());
                send(exchange, 200, found.body(), method);
            } else if (result instanceof PhoneFiles.Limited) {
                exchange.getResponseHeaders().set("Retry-After", Long.toString(PhoneFiles.REFILL_MILLIS / 1000));
                text(exchange, 429, "too many requests; retry later\n", method);
            } else {
                text(exchange, 404, "no such file\n", method);
            }
        }
    }

    private static void text(HttpExchange exchange, int status, String body, String method) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(exchange, status, body.getBytes(StandardCharsets.UTF_8), method);
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String method) throws IOException {
        if ("HEAD".equals(method)) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
