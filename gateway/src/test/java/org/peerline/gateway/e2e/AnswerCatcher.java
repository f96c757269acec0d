package org.peerline.gateway.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends a raw message and collects the answers wherever RFC 3261 §18.2.2 sends them. A message whose
 * top Via has no rport is answered at the source address ({@code received}) but at the Via's port, or
 * 5060 when it names none; so besides the sending socket this listens on 127.0.0.1 at each such port.
 * Over TCP answers come back on the connection.
 */
final class AnswerCatcher implements AutoCloseable {
    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3})");
    private static final Pattern CALL_ID = Pattern.compile("(?im)^(?:Call-ID|i)[ \\t]*:[ \\t]*(\\S+)");

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final List<DatagramSocket> viaPorts = new ArrayList<>();
    private final BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();

    /** Binds UDP 127.0.0.1 at each port; fails with a clear message if one is taken. */
    AnswerCatcher(int... ports) throws IOException {
        for (int port : ports) {
            DatagramSocket s;
            try {
                s = new DatagramSocket(new InetSocketAddress(loopback, port));
            } catch (SocketException e) {
                close();
                throw new IOException("UDP 127.0.0.1:" + port + " is taken; the torture corpus needs it to receive "
                        + "answers sent per the messages' Via (stop whatever listens there)", e);
            }
            viaPorts.add(s);
            Thread t = new Thread(() -> pump(s), "catcher-" + port);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Final status codes answered to {@code message} sent over UDP, in arrival order. */
    List<Integer> udp(int gatewayPort, byte[] message, Expect expect) throws IOException, InterruptedException {
        arrivals.clear();
        try (DatagramSocket s = new DatagramSocket(0, loopback)) {
            Thread t = new Thread(() -> pump(s), "catcher-source");
            t.setDaemon(true);
            t.start();
            s.send(new DatagramPacket(message, message.length, loopback, gatewayPort));
            return collect(callId(message), expect);
        }
    }

    /** Final status codes answered on a TCP connection that carried {@code message}. */
    List<Integer> tcp(int gatewayPort, byte[] message, Expect expect) throws IOException, InterruptedException {
        arrivals.clear();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(loopback, gatewayPort), 2000);
            Thread t = new Thread(() -> pumpStream(s), "catcher-tcp");
            t.setDaemon(true);
            t.start();
            s.getOutputStream().write(message);
            s.getOutputStream().flush();
            return collect(callId(message), expect);
        }
    }

    /** How long to wait for the first final answer: long when one is due, short when silence is allowed. */
    enum Expect {
        ANSWER(3000), MAYBE_NOTHING(700);

        final long millis;

        Expect(long millis) {
            this.millis = millis;
        }
    }

    private List<Integer> collect(String callId, Expect expect) throws InterruptedException {
        List<Integer> codes = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(expect.millis);
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return codes;
            }
            String text = arrivals.poll(left, TimeUnit.NANOSECONDS);
            if (text == null) {
                return codes;
            }
            String answered = callId(text.getBytes(StandardCharsets.ISO_8859_1));
            if (callId != null && answered != null && !callId.equals(answered)) {
                continue; // a late answer to an earlier message
            }
            Matcher m = STATUS.matcher(text);
            if (!m.find()) {
                continue;
            }
            int code = Integer.parseInt(m.group(1));
            if (code >= 200) {
                codes.add(code); // the first final answer decides; later ones are retransmissions
                return codes;
            }
        }
    }

    private void pump(DatagramSocket s) {
        byte[] buf = new byte[65536];
        while (!s.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (IOException e) {
                return;
            }
            arrivals.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1));
        }
    }

    private void pumpStream(Socket s) {
        byte[] buf = new byte[65536];
        StringBuilder pending = new StringBuilder();
        try {
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                int end;
                while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
                    arrivals.add(pending.substring(0, end + 4));
                    pending.delete(0, end + 4);
                }
            }
        } catch (SocketTimeoutException e) {
            // not set; a read ends when the test closes the socket
        } catch (IOException e) {
            // closed by the test or by the gateway
        }
    }

    private static String callId(byte[] message) {
        Matcher m = CALL_ID.matcher(new String(message, StandardCharsets.ISO_8859_1));
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void close() {
        for (DatagramSocket s : viaPorts) {
            s.close();
        }
    }
}
