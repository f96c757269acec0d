package org.peerline.provisioning.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.peerline.provisioning.api.Phone;
import org.peerline.provisioning.api.User;

/**
 * An immutable view of all users, indexed by name and by extension, and of all phones, for lock-free lookups. Changes produce a new
 * snapshot (copy on write); the maps of a published snapshot are never modified.
 */
final class Snapshot {
    private final Map<String, User> byName;
    private final Map<String, User> byExtension;
    private final long dataVersion;
    /** Phones by MAC, sorted; few (one per desk), so copied whole on a change. */
    private final Map<String, Phone> phones;
    /** For each user on a phone, those phones. */
    private final Map<String, List<Phone>> phonesByUser;
    /** Lazily sorted copy for {@link #sorted()}; a benign race may compute it twice. */
    private volatile List<User> sorted;

    private Snapshot(Map<String, User> byName, Map<String, User> byExtension, long dataVersion,
            Map<String, Phone> phones) {
        this.byName = byName;
        this.byExtension = byExtension;
        this.dataVersion = dataVersion;
        this.phones = phones;
        Map<String, List<Phone>> byUser = new HashMap<>();
        for (Phone phone : phones.values()) {
            for (String line : phone.lines()) {
                byUser.computeIfAbsent(line, k -> new ArrayList<>(1)).add(phone);
            }
        }
        this.phonesByUser = byUser;
    }

    /**
     * Builds a snapshot of {@code users} and {@code phones} as loaded when SQLite's {@code data_version} was
     * {@code dataVersion}.
     */
    static Snapshot of(Collection<User> users, Collection<Phone> phones, long dataVersion) {
        Map<String, Phone> byMac = new TreeMap<>();
        phones.forEach(p -> byMac.put(p.mac(), p));
        Snapshot empty = new Snapshot(Map.of(), Map.of(), dataVersion, byMac);
        return empty.withAll(users);
    }

    Phone phone(String mac) {
        return phones.get(mac);
    }

    List<Phone> phones() {
        return List.copyOf(phones.values());
    }

    List<Phone> phonesOf(String user) {
        return phonesByUser.getOrDefault(user, List.of());
    }

    /** Returns a snapshot with {@code phone} added or replacing the phone of the same MAC. */
    Snapshot withPhone(Phone phone) {
        Map<String, Phone> copy = new TreeMap<>(phones);
        copy.put(phone.mac(), phone);
        return new Snapshot(byName, byExtension, dataVersion, copy);
    }

    /** Returns a snapshot without the phone {@code mac}. */
    Snapshot withoutPhone(String mac) {
        if (!phones.containsKey(mac)) {
            return this;
        }
        Map<String, Phone> copy = new TreeMap<>(phones);
        copy.remove(mac);
        return new Snapshot(byName, byExtension, dataVersion, copy);
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
        return new Snapshot(names, extensions, dataVersion, phones);
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
        return new Snapshot(names, extensions, dataVersion, phones);
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
