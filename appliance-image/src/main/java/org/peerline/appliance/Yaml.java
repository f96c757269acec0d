package org.peerline.appliance;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/** Reading the seed's YAML documents into maps, lists and strings, with messages that name the file and key. */
final class Yaml {
    private Yaml() {
    }

    /** Parses one YAML document (duplicate keys refused); null for an empty one. */
    static Object load(String file, String text) throws SeedException {
        LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
                .setLabel(file).build();
        try {
            return new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new SeedException(file, "not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
    }

    /** {@code value} as a map with string keys (null stays null). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(String file, String key, Object value) throws SeedException {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map)) {
            throw new SeedException(file, "'" + key + "' must be a map");
        }
        for (Object k : ((Map<Object, Object>) value).keySet()) {
            if (!(k instanceof String)) {
                throw new SeedException(file, "'" + key + "' has a key that is not a string: " + k);
            }
        }
        return (Map<String, Object>) value;
    }

    /** {@code value} as a list; a single scalar counts as a list of one (null stays null). */
    static List<?> list(String file, String key, Object value) throws SeedException {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> l) {
            return l;
        }
        if (value instanceof Map) {
            throw new SeedException(file, "'" + key + "' must be a list");
        }
        return List.of(value);
    }

    /** A scalar as text (numbers too: an unquoted password of digits is still a password); null stays null. */
    static String text(String file, String key, Object value) throws SeedException {
        if (value == null) {
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            throw new SeedException(file, "'" + key + "' must be a single value");
        }
        return String.valueOf(value).strip();
    }

    /** A yes/no value: YAML booleans, or true/false/yes/no/on/off in any case; null stays null. */
    static Boolean bool(String file, String key, Object value) throws SeedException {
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        switch (String.valueOf(value).strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return true;
            }
            case "false", "no", "off" -> {
                return false;
            }
            default -> throw new SeedException(file, "'" + key + "' must be true or false, got " + value);
        }
    }

    /** Refuses keys of {@code m} that are not in {@code known} (a typo would otherwise be ignored silently). */
    static void onlyKeys(String file, String key, Map<String, Object> m, List<String> known) throws SeedException {
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                throw new SeedException(file, "unknown key '" + key + "." + k + "' (known there: "
                        + String.join(", ", known) + ")");
            }
        }
    }
}
