package org.peerline.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingTableTest {
    private static final String AOR = "sip:alice@site-a.example";
    private final BindingTable table = new BindingTable(3);

    private static BindingTable.Change contact(String uri, long expires) {
        return new BindingTable.Change(uri, 1.0f, expires, "udp:192.0.2.1:5060", false, "test");
    }

    @Test
    void keepsSeveralContactsAndExpiresThem() {
        table.register(AOR, "c1", 1, List.of(contact("sip:a@192.0.2.1", 60)), 0);
        table.register(AOR, "c2", 1, List.of(contact("sip:a@192.0.2.2", 120)), 0);
        assertEquals(2, table.lookup(AOR, 1_000).size());
        assertEquals(1, table.lookup(AOR, 61_000).size());
        assertEquals(0, table.lookup(AOR, 121_000).size());
    }

    @Test
    void refreshesAndRemovesWithExpiresZero() {
        table.register(AOR, "c1", 1, List.of(contact("sip:a@192.0.2.1", 60)), 0);
        table.register(AOR, "c1", 2, List.of(contact("sip:a@192.0.2.1", 600)), 50_000);
        assertEquals(1, table.lookup(AOR, 100_000).size());
        table.register(AOR, "c1", 3, List.of(contact("sip:a@192.0.2.1", 0)), 100_000);
        assertEquals(0, table.lookup(AOR, 100_000).size());
    }

    @Test
    void refusesOutOfOrderCseqForSameCallId() {
        table.register(AOR, "c1", 5, List.of(contact("sip:a@192.0.2.1", 60)), 0);
        var out = table.register(AOR, "c1", 5, List.of(contact("sip:a@192.0.2.1", 0)), 0);
        assertInstanceOf(BindingTable.OutOfOrder.class, out);
        assertEquals(1, table.lookup(AOR, 0).size());
    }

    @Test
    void wildcardRemovesAll() {
        table.register(AOR, "c1", 1, List.of(contact("sip:a@192.0.2.1", 60), contact("sip:a@192.0.2.2", 60)), 0);
        table.removeAll(AOR, "c1", 2, 0);
        assertEquals(0, table.lookup(AOR, 0).size());
    }

    @Test
    void dropsTheContactThatExpiresFirstBeyondTheLimit() {
        table.register(AOR, "c1", 1, List.of(contact("sip:a@192.0.2.1", 100)), 0);
        table.register(AOR, "c2", 1, List.of(contact("sip:a@192.0.2.2", 200)), 0);
        table.register(AOR, "c3", 1, List.of(contact("sip:a@192.0.2.3", 300)), 0);
        table.register(AOR, "c4", 1, List.of(contact("sip:a@192.0.2.4", 400)), 0);
        List<String> left = table.lookup(AOR, 0).stream().map(Binding::contact).toList();
        assertEquals(3, left.size());
        assertEquals(false, left.contains("sip:a@192.0.2.1"));
    }

    @Test
    void tellsListenersAboutEveryChangeIncludingExpiry() {
        List<Integer> sizes = new ArrayList<>();
        table.addListener((aor, b) -> sizes.add(b.size()));
        table.register(AOR, "c1", 1, List.of(contact("sip:a@192.0.2.1", 10)), 0);
        table.expire(5_000);
        table.expire(11_000);
        assertEquals(List.of(1, 0), sizes);
    }
}
