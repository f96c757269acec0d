package org.peerline.gateway.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The commands' way into a running daemon: GETs on its admin API (address and token from the same
 * configuration file), answers parsed as JSON.
 */
final class AdminClient {
    /** A request the daemon refused: its HTTP status and the reason it gave. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String reason) {
            super(reason);
            this.status = status;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminClient(PeerlineConfig.Admin admin) {
        String host = switch (admin.host()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "[::1]";
            default -> admin.host().contains(":") ? "[" + admin.host() + "]" : admin.host();
        };
        this.base = "http://" + host + ":" + admin.port();
        this.token = admin.token();
    }

    /** GETs {@code pathAndQuery} (already percent-encoded) and returns the JSON answer. */
    JsonNode get(String pathAndQuery) throws IOException {
        HttpRequest.Builder rq = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .GET();
        if (token != null) {
            rq.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> rs;
        try {
            rs = http.send(rq.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("cannot reach the daemon's admin API at " + base + " (is 'peerline run' running"
                    + " with this configuration?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(rs.body());
        } catch (IOException e) {
            throw new IOException("the admin API at " + base + " answered " + rs.statusCode() + " with no JSON", e);
        }
        if (rs.statusCode() / 100 != 2) {
            throw new Refused(rs.statusCode(), body.path("error").asText("HTTP " + rs.statusCode()));
        }
        return body;
    }
}
