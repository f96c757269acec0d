package org.peerline.gateway.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML mapping read key by key, so that every error names the file, the line and the dotted key.
 * Keys that were never read are reported by {@link #finish()} as unknown.
 */
final class YamlSection {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");

    private final Path file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    private YamlSection(Path file, String path, Node node) throws ConfigException {
        this.file = file;
        this.path = path;
        this.node = node;
        if (!(node instanceof MappingNode mapping)) {
            throw error(node, (path.isEmpty() ? "the file" : "'" + path + "'") + " must be a mapping of keys to values");
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw error(tuple.getKeyNode(), "keys must be plain words");
            }
            if (entries.putIfAbsent(key.getValue(), tuple) != null) {
                throw error(key, "duplicate key '" + qualified(key.getValue()) + "'");
            }
        }
    }

    static YamlSection root(Path file, Node node) throws ConfigException {
        return new YamlSection(file, "", node);
    }

    /** The nested mapping under {@code key}, if present. */
    Optional<YamlSection> section(String key) throws ConfigException {
        Node value = value(key);
        return value == null || isNull(value) ? Optional.empty()
                : Optional.of(new YamlSection(file, qualified(key), value));
    }

    String string(String key, String fallback) throws ConfigException {
        Node value = value(key);
        if (value == null || isNull(value)) {
            return fallback;
        }
        return scalar(key, value);
    }

    int integer(String key, int fallback, int min, int max) throws ConfigException {
        Node value = value(key);
        if (value == null || isNull(value)) {
            return fallback;
        }
        String text = scalar(key, value);
        try {
            int n = Integer.parseInt(text.trim());
            if (n < min || n > max) {
                throw error(value, "'" + qualified(key) + "' must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw error(value, "'" + qualified(key) + "' must be a whole number, got \"" + text + "\"");
        }
    }

    /** A duration written as {@code 300}, {@code 300s}, {@code 5m}, {@code 1h} or {@code 250ms}; plain numbers are seconds. */
    Duration duration(String key, Duration fallback) throws ConfigException {
        Node value = value(key);
        if (value == null || isNull(value)) {
            return fallback;
        }
        String text = scalar(key, value).trim();
        try {
            return parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw error(value, "'" + qualified(key) + "' must be a duration such as 30s, 5m or 1h, got \"" + text + "\"");
        }
    }

    /** A boolean: {@code true} or {@code false} (YAML's yes/no/on/off are refused as ambiguous). */
    boolean bool(String key, boolean fallback) throws ConfigException {
        return parsed(key, fallback, v -> switch (v) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("expected true or false, got \"" + v + "\"");
        });
    }

    /** Parses {@code 300}, {@code 300s}, {@code 5m}, {@code 1h} or {@code 250ms} (also for command-line options). */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 30s, 5m or 1h, got \"" + text + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** A list of scalars, each converted by {@code parse}; a conversion failure is reported at the item's line. */
    <T> List<T> list(String key, List<T> fallback, Function<String, T> parse) throws ConfigException {
        Node value = value(key);
        if (value == null || isNull(value)) {
            return fallback;
        }
        List<Node> items;
        if (value instanceof SequenceNode seq) {
            items = seq.getValue();
        } else if (value instanceof ScalarNode) {
            items = List.of(value);
        } else {
            throw error(value, "'" + qualified(key) + "' must be a list");
        }
        List<T> out = new ArrayList<>();
        for (Node item : items) {
            String text = scalar(key, item);
            try {
                out.add(parse.apply(text));
            } catch (IllegalArgumentException e) {
                throw error(item, "'" + qualified(key) + "': " + e.getMessage());
            }
        }
        return out;
    }

    /** Converts a scalar with {@code parse}, reporting its IllegalArgumentException at the value's line. */
    <T> T parsed(String key, T fallback, Function<String, T> parse) throws ConfigException {
        Node value = value(key);
        if (value == null || isNull(value)) {
            return fallback;
        }
        try {
            return parse.apply(scalar(key, value));
        } catch (IllegalArgumentException e) {
            throw error(value, "'" + qualified(key) + "': " + e.getMessage());
        }
    }

    /** An error located at this section's first line (for checks that span several keys). */
    ConfigException error(String reason) {
        return error(node, reason);
    }

    /** Reports the first key of this section that no reader asked for. */
    void finish() throws ConfigException {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!read.contains(e.getKey())) {
                Set<String> known = new TreeSet<>(read);
                throw error(e.getValue().getKeyNode(), "unknown key '" + qualified(e.getKey()) + "'"
                        + (known.isEmpty() ? "" : " (known here: " + String.join(", ", known) + ")"));
            }
        }
    }

    /** Marks keys as known without reading them (for keys whose value is read later). */
    void expect(String... keys) {
        read.addAll(List.of(keys));
    }

    private Node value(String key) {
        read.add(key);
        NodeTuple tuple = entries.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    private String scalar(String key, Node value) throws ConfigException {
        if (!(value instanceof ScalarNode s)) {
            throw error(value, "'" + qualified(key) + "' must be a single value, not a list or mapping");
        }
        return s.getValue();
    }

    private static boolean isNull(Node value) {
        return value instanceof ScalarNode s && s.getTag().getValue().endsWith(":null");
    }

    private String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ConfigException error(Node at, String reason) {
        int line = at.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        return new ConfigException(file, line, reason);
    }
}
