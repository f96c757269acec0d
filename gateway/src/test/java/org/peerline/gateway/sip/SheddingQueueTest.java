package org.peerline.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import java.net.DatagramPacket;
import org.junit.jupiter.api.Test;

class SheddingQueueTest {
    private static DatagramQueuedMessageDispatch datagram(int length) {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        p.setLength(length);
        p.getData()[length - 1] = 42;
        return new DatagramQueuedMessageDispatch(p, 0);
    }

    @Test
    void keepsEachDatagramInAnArrayOfItsOwnLength() {
        SheddingQueue q = new SheddingQueue(4, "test");
        assertTrue(q.offer(datagram(500)));
        DatagramPacket p = q.poll().packet;
        assertEquals(500, p.getData().length);
        assertEquals(500, p.getLength());
        assertEquals(42, p.getData()[499]);
    }

    @Test
    void dropsBeyondItsCapacityAndCountsTheDrops() {
        SheddingQueue q = new SheddingQueue(2, "test");
        assertTrue(q.offer(datagram(10)));
        assertTrue(q.offer(datagram(10)));
        assertFalse(q.offer(datagram(10)));
        assertFalse(q.offer(datagram(10)));
        assertEquals(2, q.size());
        assertEquals(2, q.dropped());
        q.poll();
        assertTrue(q.offer(datagram(10)));
    }
}
