package org.peerline.provisioning.phones;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The names a {@link Template} can use: values for {@code ${name}} and lists of nested contexts for
 * {@code {{#name}}...{{/name}}} blocks. Inside a block, names are looked up in the item first, then outwards.
 */
final class Context {
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, List<Context>> sections = new HashMap<>();

    /**
     * Binds a value; {@link String#valueOf(Object)} turns numbers into text.
     *
     * @return this context
     */
    Context put(String name, Object value) {
        values.put(name, String.valueOf(Objects.requireNonNull(value, name)));
        return this;
    }

    /**
     * Binds a block's items; an empty list renders the block zero times (a one-item list makes it conditional).
     *
     * @return this context
     */
    Context section(String name, List<Context> items) {
        sections.put(name, List.copyOf(items));
        return this;
    }

    /** Binds a block that renders once with {@code item} if {@code present}, else not at all. */
    Context optional(String name, boolean present, Context item) {
        return section(name, present ? List.of(item) : List.of());
    }

    /** Returns the value bound to {@code name} here, or null. */
    String value(String name) {
        return values.get(name);
    }

    /** Returns the items bound to {@code name} here, or null. */
    List<Context> items(String name) {
        return sections.get(name);
    }
}
