package org.peerline.provisioning.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.peerline.provisioning.api.User;

/**
 * An immutable view of all users, indexed by name and by extension, for lock-free lookups. Changes produce a new
 * snapshot (copy on write); the maps of a published snapshot are never modified.
 */
final class Snapshot {
    private final Map<String, User> byName;
    private final Map<String, User> byExtension;
    private final long dataVersion;
    /** Lazily sorted copy for {@link #sorted()}; a benign race may compute it twice. */
    private volatile List<User> sorted;

    private Snapshot(Map<String, User> byName, Map<String, User> byExtension, long dataVersion) {
        this.byName = byName;
        this.byExtension = byExtension;
        this.dataVersion = dataVersion;
    }

    /** Builds a snapshot of {@code users} as loaded when SQLite's {@code data_version} was {@code dataVersion}. */
    static Snapshot of(Collection<User> users, long dataVersion) {
        Snapshot empty = new Snapshot(Map.of(), Map.of(), dataVersion);
        return empty.withAll(users);
    }

    /**
     * Returns the {@code PRAGMA data_version} read before this snapshot's rows were loaded. Snapshots derived from
     * this process's own writes keep it, so a change committed meanwhile by another process is still noticed.
     */
    long dataVersion() {
        return dataVersion;
    }

    User byName(String name) {
        return byName.get(name);
    }

    User byExtension(String extension) {
        return byExtension.get(extension);
    }

    int size() {
        return byName.size();
    }

    List<User> sorted() {
        List<User> result = sorted;
        if (result == null) {
            List<User> all = new ArrayList<>(byName.values());
            all.sort(Comparator.comparing(User::name));
            result = List.copyOf(all);
            sorted = result;
        }
        return result;
    }

    /** Returns a snapshot with {@code users} added, each replacing any user of the same name. */
    Snapshot withAll(Collection<User> users) {
        Map<String, User> names = new HashMap<>(capacity(byName.size() + users.size()));
        names.putAll(byName);
        Map<String, User> extensions = new HashMap<>(capacity(byExtension.size() + users.size()));
        extensions.putAll(byExtension);
        for (User user : users) {
            put(names, extensions, user);
        }
        return new Snapshot(names, extensions, dataVersion);
    }

    /** Returns a snapshot with {@code user} added or replacing the user of the same name. */
    Snapshot with(User user) {
        return withAll(List.of(user));
    }

    /** Returns a snapshot without the user called {@code name}. */
    Snapshot without(String name) {
        if (!byName.containsKey(name)) {
            return this;
        }
        Map<String, User> names = new HashMap<>(byName);
        Map<String, User> extensions = new HashMap<>(byExtension);
        remove(names, extensions, name);
        return new Snapshot(names, extensions, dataVersion);
    }

    private static void put(Map<String, User> names, Map<String, User> extensions, User user) {
        remove(names, extensions, user.name());
        names.put(user.name(), user);
        if (user.extension() != null) {
            extensions.put(user.extension(), user);
        }
    }

    private static void remove(Map<String, User> names, Map<String, User> extensions, String name) {
        User old = names.remove(name);
        if (old != null && old.extension() != null) {
            extensions.remove(old.extension(), old);
        }
    }

    private static int capacity(int entries) {
        return (int) Math.min(Integer.MAX_VALUE, entries * 4L / 3 + 1);
    }
}
