package org.peerline.provisioning.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.peerline.provisioning.api.User;

class SnapshotTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void shouldReindexExtensionsOnReplaceAndRemove() {
        User alice = user("alice", "1001");
        Snapshot first = Snapshot.of(List.of(alice, user("bob", null)), List.of(), 7);

        Snapshot moved = first.with(user("alice", "2002"));
        Snapshot removed = moved.without("alice");

        assertSame(alice, first.byExtension("1001"), "earlier snapshots are not changed");
        assertNull(moved.byExtension("1001"));
        assertEquals("alice", moved.byExtension("2002").name());
        assertNull(removed.byExtension("2002"));
        assertEquals(List.of("bob"), removed.sorted().stream().map(User::name).toList());
        assertEquals(7, removed.dataVersion());
        assertSame(removed, removed.without("nobody"));
    }

    private static User user(String name, String extension) {
        return new User(name, extension, null, "r", "0".repeat(32), T);
    }
}
