package org.peerline.provisioning.phones;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A parsed configuration template. The syntax is deliberately tiny:
 * <ul>
 *   <li>{@code ${name}}: a value, escaped for the file format; {@code name} is letters, digits, {@code _} and
 *       {@code .};</li>
 *   <li>{@code {{#name}}...{{/name}}}: a block repeated once per item of a list (zero or one items make it
 *       conditional); inside, names resolve in the item first, then in the enclosing scopes;</li>
 *   <li>{@code {{! text }}}: a comment, dropped from the output (may span lines).</li>
 * </ul>
 * A block or comment tag alone on its line takes the whole line with it, so blocks leave no blank lines. A name with
 * no binding fails the rendering rather than leaving a hole in a phone's file. Immutable and thread-safe.
 */
final class Template {
    private static final Map<String, Template> RESOURCES = new ConcurrentHashMap<>();

    /** A piece of a template. */
    sealed interface Node permits Text, Value, Section {
    }

    /** Literal text. */
    record Text(String text) implements Node {
    }

    /** A {@code ${name}} substitution. */
    record Value(String name) implements Node {
    }

    /** A {@code {{#name}}} block and its body. */
    record Section(String name, List<Node> body) implements Node {
    }

    private final String name;
    private final List<Node> nodes;

    Template(String name, List<Node> nodes) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Returns the template in this package's resource folder, parsed once and cached.
     *
     * @throws IllegalStateException if the resource is missing or malformed
     */
    static Template resource(String fileName) {
        return RESOURCES.computeIfAbsent(fileName, Template::load);
    }

    /** Parses template text; {@code name} appears in error messages. */
    static Template parse(String name, String text) {
        return new Template(name, new TemplateParser(name, text).parse());
    }

    /**
     * Renders the template.
     *
     * @param root     the outermost names
     * @param escaping how values are made safe for the format
     * @return the text
     * @throws IllegalStateException    if a name has no binding
     * @throws IllegalArgumentException if a value cannot be written in the format
     */
    String render(Context root, Escaping escaping) {
        StringBuilder out = new StringBuilder(4096);
        Deque<Context> scopes = new ArrayDeque<>();
        scopes.push(root);
        render(nodes, scopes, escaping, out);
        return out.toString();
    }

    private void render(List<Node> body, Deque<Context> scopes, Escaping escaping, StringBuilder out) {
        for (Node node : body) {
            if (node instanceof Text t) {
                out.append(t.text());
            } else if (node instanceof Value v) {
                out.append(escaping.apply(v.name(), lookUpValue(v.name(), scopes)));
            } else if (node instanceof Section s) {
                for (Context item : lookUpItems(s.name(), scopes)) {
                    scopes.push(item);
                    render(s.body(), scopes, escaping, out);
                    scopes.pop();
                }
            }
        }
    }

    private String lookUpValue(String key, Deque<Context> scopes) {
        for (Context scope : scopes) {
            String value = scope.value(key);
            if (value != null) {
                return value;
            }
        }
        throw new IllegalStateException("template " + name + ": no value for ${" + key + "}");
    }

    private List<Context> lookUpItems(String key, Deque<Context> scopes) {
        for (Context scope : scopes) {
            List<Context> items = scope.items(key);
            if (items != null) {
                return items;
            }
        }
        throw new IllegalStateException("template " + name + ": no items for {{#" + key + "}}");
    }

    private static Template load(String fileName) {
        try (InputStream in = Template.class.getResourceAsStream(fileName)) {
            if (in == null) {
                throw new IllegalStateException("template " + fileName + " is missing from the class path");
            }
            return parse(fileName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + fileName, e);
        }
    }
}
