package org.peerline.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SheddingQueueTest {
    private static DatagramQueuedMessageDispatch datagram(String startLine) {
        byte[] text = (startLine + "\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        System.arraycopy(text, 0, p.getData(), 0, text.length);
        p.setLength(text.length);
        return new DatagramQueuedMessageDispatch(p, System.currentTimeMillis());
    }

    private static String startLine(DatagramQueuedMessageDispatch d) {
        String s = new String(d.packet.getData(), 0, d.packet.getLength(), StandardCharsets.US_ASCII);
        return s.substring(0, s.indexOf('\r'));
    }

    @Test
    void keepsEachDatagramInAnArrayOfItsOwnLength() throws Exception {
        SheddingQueue q = new SheddingQueue(4, 4, "test");
        DatagramQueuedMessageDispatch d = datagram("OPTIONS sip:box SIP/2.0");
        int length = d.packet.getLength();
        assertTrue(q.offer(d));
        DatagramPacket p = q.take().packet;
        assertEquals(length, p.getData().length);
        assertEquals(length, p.getLength());
    }

    @Test
    void admitsNewRequestsOnlyUpToTheirLimitButWorkThatFinishesCallsUpToTheCapacity() {
        SheddingQueue q = new SheddingQueue(4, 2, "test");
        assertTrue(q.offer(datagram("INVITE sip:a SIP/2.0")));
        assertTrue(q.offer(datagram("REGISTER sip:a SIP/2.0")));
        assertFalse(q.offer(datagram("INVITE sip:b SIP/2.0")), "a third new request waits beyond the limit");
        assertTrue(q.offer(datagram("BYE sip:a SIP/2.0")));
        assertTrue(q.offer(datagram("SIP/2.0 200 OK")));
        assertFalse(q.offer(datagram("ACK sip:a SIP/2.0")), "the capacity bounds everything");
        assertEquals(4, q.size());
        assertEquals(2, q.dropped());
    }

    @Test
    void dropsANewRequestThatWaitedPastItsSendersRetransmission() throws Exception {
        SheddingQueue q = new SheddingQueue(10, 10, "test");
        DatagramQueuedMessageDispatch old = datagram("INVITE sip:old SIP/2.0");
        DatagramQueuedMessageDispatch stale = new DatagramQueuedMessageDispatch(old.packet,
                System.currentTimeMillis() - SheddingQueue.STALE_MILLIS - 100);
        q.offer(stale);
        q.offer(datagram("INVITE sip:new SIP/2.0"));
        assertEquals("INVITE sip:new SIP/2.0", startLine(q.poll(1, TimeUnit.SECONDS)));
        assertNull(q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(1, q.dropped());
    }

    @Test
    void workersTakeResponsesAndInDialogRequestsFirst() throws Exception {
        SheddingQueue q = new SheddingQueue(10, 10, "test");
        q.offer(datagram("INVITE sip:a SIP/2.0"));
        q.offer(datagram("SIP/2.0 180 Ringing"));
        q.offer(datagram("MESSAGE sip:a SIP/2.0"));
        q.offer(datagram("ACK sip:a SIP/2.0"));
        assertEquals("SIP/2.0 180 Ringing", startLine(q.take()));
        assertEquals("ACK sip:a SIP/2.0", startLine(q.take()));
        assertEquals("INVITE sip:a SIP/2.0", startLine(q.take()));
        assertEquals("MESSAGE sip:a SIP/2.0", startLine(q.poll(1, TimeUnit.MILLISECONDS)));
        assertNull(q.poll(1, TimeUnit.MILLISECONDS));
        assertEquals(0, q.size());
        assertTrue(q.offer(datagram("INVITE sip:c SIP/2.0")), "room again once taken");
    }
}
