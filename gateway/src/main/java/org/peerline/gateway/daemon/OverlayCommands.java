package org.peerline.gateway.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code peerline overlay status|routes|neighbours|records|trace|probe}: what a running box knows of the
 * overlay, read from its admin API ({@code /api/overlay/...}, see {@code OverlayApi}). Each prints a table,
 * or the API's JSON with {@code --json}. Exit status 1 if the daemon cannot be reached or has no overlay,
 * 2 for a bad argument.
 */
final class OverlayCommands {
    private OverlayCommands() {
    }

    /** Shared by the diagnostics commands: config, --json, one GET, then print. */
    abstract static class Query implements Callable<Integer> {
        @CommandLine.Mixin
        Main.ConfigFile config;
        @Option(names = "--json", description = "print the admin API's JSON instead of a table")
        boolean json;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public final Integer call() throws Exception {
            LogSetup.quiet();
            PeerlineConfig cfg = config.load();
            PrintWriter out = spec.commandLine().getOut();
            try {
                JsonNode answer = new AdminClient(cfg.admin()).get(path());
                if (json) {
                    out.println(answer.toPrettyString());
                } else {
                    print(answer, out);
                }
                out.flush();
                return 0;
            } catch (AdminClient.Refused e) {
                spec.commandLine().getErr().println("peerline: " + e.getMessage());
                return e.status == 400 ? Main.BAD_CONFIG : Main.FAILURE;
            } catch (IOException e) {
                spec.commandLine().getErr().println("peerline: " + e.getMessage());
                return Main.FAILURE;
            }
        }

        abstract String path();

        abstract void print(JsonNode answer, PrintWriter out);
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String duration(long seconds) {
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return d > 0 ? String.format(Locale.ROOT, "%dd %02dh %02dm", d, h, m)
                : h > 0 ? String.format(Locale.ROOT, "%dh %02dm %02ds", h, m, s)
                : String.format(Locale.ROOT, "%dm %02ds", m, s);
    }

    static String share(JsonNode n) {
        return String.format(Locale.ROOT, "%.2f%%", n.asDouble() * 100);
    }

    @Command(name = "status", description = "This box in the overlay: Node-ID, join state, uptime, ring share,"
            + " records, links, counters.")
    static final class Status extends Query {
        @Override
        String path() {
            return "/api/overlay/status";
        }

        @Override
        void print(JsonNode s, PrintWriter out) {
            JsonNode c = s.path("counters");
            out.printf("node      %s%n", s.path("nodeId").asText());
            out.printf("overlay   %s (%s)%n", s.path("overlay").asText(), s.path("state").asText());
            out.printf("address   %s%n", s.path("address").asText());
            out.printf("uptime    %s%n", duration(s.path("uptimeSeconds").asLong()));
            out.printf("ring      %s of the ring, %d resources stored%n", share(s.path("ringShare")),
                    s.path("resources").asLong());
            out.printf("users     %d AORs registered here and published (%d stores under way), %d extensions claimed%n",
                    s.path("publishedAors").asLong(), s.path("publishing").asLong(), s.path("extensions").asLong());
            s.path("extensionConflicts").fields().forEachRemaining(e -> out.printf(
                    "CONFLICT  extension %s is claimed by %s%n", e.getKey(), e.getValue()));
            out.printf("peers     %d predecessors, %d successors, %d links, %d members known%n",
                    s.path("predecessors").asLong(), s.path("successors").asLong(), s.path("links").asLong(),
                    s.path("members").asLong());
            for (JsonNode p : s.path("peers")) {
                out.printf("          %s at %s%n", p.path("nodeId").asText(), p.path("address").asText("-"));
            }
            out.printf("messages  %d sent (%d bytes), %d received, %d forwarded, %d retransmitted, %d link failures%n",
                    c.path("messagesSent").asLong(), c.path("bytesSent").asLong(), c.path("messagesReceived").asLong(),
                    c.path("forwarded").asLong(), c.path("retransmissions").asLong(), c.path("linkFailures").asLong());
        }
    }

    static void printRoutes(Iterable<JsonNode> routes, PrintWriter out) {
        out.printf("%-16s %-32s %s%n", "ROLE", "PEER", "LINK");
        for (JsonNode r : routes) {
            out.printf("%-16s %-32s %s%n", r.path("role").asText(), r.path("peer").asText(),
                    r.path("address").isNull() ? "-" : r.path("address").asText());
        }
    }

    @Command(name = "routes", description = "The routing table: predecessors, successors and fingers, with their links.")
    static final class Routes extends Query {
        @Override
        String path() {
            return "/api/overlay/routes";
        }

        @Override
        void print(JsonNode routes, PrintWriter out) {
            printRoutes(routes, out);
        }
    }

    @Command(name = "neighbours", aliases = "neighbors", description = "The predecessors and successors on the ring.")
    static final class Neighbours extends Query {
        @Override
        String path() {
            return "/api/overlay/neighbours";
        }

        @Override
        void print(JsonNode n, PrintWriter out) {
            java.util.List<JsonNode> all = new java.util.ArrayList<>();
            n.path("predecessors").forEach(all::add);
            n.path("successors").forEach(all::add);
            printRoutes(all, out);
        }
    }

    @Command(name = "records", description = "The records this box stores, as responsible peer or replica.")
    static final class Records extends Query {
        @Override
        String path() {
            return "/api/overlay/records";
        }

        @Override
        void print(JsonNode records, PrintWriter out) {
            out.printf("%-32s %-4s %-32s %-40s %8s %s%n", "NAME", "KIND", "KEY", "VALUE", "EXPIRES", "ROLE");
            for (JsonNode r : records) {
                String name = r.path("name").asText();
                out.printf("%-32s %-4d %-32s %-40s %8s %s%n", name.isEmpty() ? r.path("resourceId").asText() : name,
                        r.path("kind").asLong(), r.path("key").asText(), r.path("value").asText(),
                        r.path("expiresInSeconds").asLong() + "s",
                        r.path("responsible").asBoolean() ? "responsible" : "replica");
            }
            out.printf("%d records%n", records.size());
        }
    }

    @Command(name = "trace", description = "The path a lookup of AOR takes through the overlay, hop by hop.")
    static final class Trace extends Query {
        @Parameters(paramLabel = "AOR", description = "an address of record, e.g. sip:alice@site-b.example")
        String aor;

        @Override
        String path() {
            return "/api/overlay/trace?aor=" + encode(aor);
        }

        @Override
        void print(JsonNode t, PrintWriter out) {
            out.printf("lookup of %s%n", t.path("aor").asText());
            if (!t.path("complete").asBoolean()) {
                out.printf("incomplete: %s%n", t.path("error").asText());
                return;
            }
            out.printf("%-4s %-32s %s%n", "HOP", "PEER", "RTT");
            int i = 1;
            for (JsonNode h : t.path("hops")) {
                out.printf("%-4d %-32s %d ms%n", i++, h.path("peer").asText(), h.path("rttMillis").asLong());
            }
            out.printf("%d hops; the last is responsible for the AOR%n", t.path("hops").size());
        }
    }

    @Command(name = "probe", description = "Ask another box, through the overlay, for its uptime, ring share and records.")
    static final class Probe extends Query {
        @Parameters(paramLabel = "NODE-ID", description = "the box's Node-ID (32 hex digits, see 'overlay routes')")
        String node;

        @Override
        String path() {
            return "/api/overlay/probe?node=" + encode(node);
        }

        @Override
        void print(JsonNode p, PrintWriter out) {
            out.printf("node      %s%n", p.path("nodeId").asText());
            out.printf("reached   in %d hops, %d ms%n", p.path("hops").asLong(), p.path("rttMillis").asLong());
            out.printf("uptime    %s%n", duration(p.path("uptimeSeconds").asLong()));
            out.printf("ring      %s of the ring, %d resources stored%n", share(p.path("ringShare")),
                    p.path("resources").asLong());
        }
    }
}
