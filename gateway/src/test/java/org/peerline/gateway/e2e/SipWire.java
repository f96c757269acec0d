package org.peerline.gateway.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Raw SIP over real sockets, for tests that must send bytes no SIP stack would produce. */
final class SipWire {
    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3})");

    private SipWire() {
    }

    /** Sends one datagram from a fresh socket and collects the status codes of answers within {@code waitMillis}. */
    static List<Integer> udp(int port, byte[] message, int waitMillis) throws IOException {
        return udp(port, message, waitMillis, false);
    }

    private static List<Integer> udp(int port, byte[] message, int waitMillis, boolean untilFirst) throws IOException {
        List<Integer> codes = new ArrayList<>();
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.send(new DatagramPacket(message, message.length, InetAddress.getLoopbackAddress(), port));
            long end = System.currentTimeMillis() + waitMillis;
            byte[] buf = new byte[65536];
            while (true) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                s.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                Integer code = status(new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1));
                if (code != null && code != 100) {
                    codes.add(code);
                    if (untilFirst) {
                        break;
                    }
                }
            }
        }
        return codes;
    }

    /** Sends bytes on a new TCP connection and collects final status codes until the wait ends or it closes. */
    static List<Integer> tcp(int port, byte[] message, int waitMillis) throws IOException {
        List<Integer> codes = new ArrayList<>();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.getOutputStream().write(message);
            s.getOutputStream().flush();
            long end = System.currentTimeMillis() + waitMillis;
            InputStream in = s.getInputStream();
            StringBuilder text = new StringBuilder();
            byte[] buf = new byte[8192];
            while (true) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                s.setSoTimeout((int) left);
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (IOException e) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            for (String part : text.toString().split("(?=SIP/2\\.0 \\d{3} )")) {
                Integer code = status(part);
                if (code != null && code != 100) {
                    codes.add(code);
                }
            }
        }
        return codes;
    }

    /** An OPTIONS to the box itself over UDP; true if it answered 200. */
    static boolean alive(int port) throws IOException {
        String branch = "z9hG4bK-alive-" + System.nanoTime();
        String msg = "OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:9;branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:127.0.0.1>\r\n"
                + "Call-ID: " + branch + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        return udp(port, msg.getBytes(StandardCharsets.US_ASCII), 2000, true).contains(200);
    }

    private static Integer status(String text) {
        Matcher m = STATUS.matcher(text);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }
}
