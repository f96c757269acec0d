package org.peerline.gateway.e2e;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.peerline.gateway.routing.Digest;

/**
 * A minimal SIP client over one UDP socket that answers digest challenges, for checking the
 * gateway's answers to requests SIPp scenarios cannot vary easily (unknown users, wrong passwords).
 */
final class DigestClient implements AutoCloseable {
    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3})");
    private static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");
    private static final Pattern REALM = Pattern.compile("realm=\"([^\"]+)\"");

    private final DatagramSocket socket;
    private final int serverPort;
    private int seq;
    /** The last response received, for assertions on its headers. */
    String last = "";
    private String lastSent = "";
    private String lastCallId = "";

    /** The domain of the From (and a REGISTER's To) URIs. */
    private final String domain;
    /** The expires parameter of a REGISTER's Contact (0 unregisters it). */
    int expires = 120;

    DigestClient(int serverPort) throws IOException {
        this(serverPort, GatewayFixture.DOMAIN);
    }

    DigestClient(int serverPort, String domain) throws IOException {
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.serverPort = serverPort;
        this.domain = domain;
    }

    /**
     * Sends {@code method} to {@code ruri} as {@code user}; if challenged, answers once with the password.
     * Returns the final status, or -1 if no answer came within 2 s.
     */
    int request(String method, String ruri, String user, String password) throws IOException {
        String callId = "dc-" + System.nanoTime() + "@test";
        int code = send(method, ruri, user, callId, ++seq, null);
        if ((code == 401 || code == 407) && password != null) {
            Matcher n = NONCE.matcher(last);
            Matcher r = REALM.matcher(last);
            if (!n.find() || !r.find()) {
                throw new IOException("challenge without nonce/realm: " + last);
            }
            String ha1 = Digest.md5Hex(user + ":" + r.group(1) + ":" + password);
            String resp = Digest.response(ha1, method, ruri, n.group(1), "00000001", "c0ffee", "auth");
            String header = (code == 401 ? "Authorization" : "Proxy-Authorization") + ": Digest username=\"" + user
                    + "\", realm=\"" + r.group(1) + "\", nonce=\"" + n.group(1) + "\", uri=\"" + ruri
                    + "\", response=\"" + resp + "\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c0ffee\"";
            code = send(method, ruri, user, callId, ++seq, header);
        }
        return code;
    }

    private int send(String method, String ruri, String user, String callId, int cseq, String auth)
            throws IOException {
        String msg = method + " " + ruri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-dc" + System.nanoTime()
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@" + domain + ">;tag=dc" + cseq + "\r\n"
                + "To: <" + (method.equals("REGISTER") ? "sip:" + user + "@" + domain : ruri) + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + (method.equals("REGISTER") ? "Contact: <sip:" + user + "@127.0.0.1:" + socket.getLocalPort()
                        + ">;expires=" + expires + "\r\n" : "")
                + (method.equals("INVITE") ? "Contact: <sip:" + user + "@127.0.0.1:" + socket.getLocalPort() + ">\r\n" : "")
                + (auth == null ? "" : auth + "\r\n")
                + (method.equals("MESSAGE") ? "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"
                        : "Content-Length: 0\r\n\r\n");
        lastSent = msg;
        lastCallId = callId;
        return transmit(msg, callId);
    }

    /**
     * Sends the last request again, byte for byte, as a UDP client retransmits it (RFC 3261 Timer E: again
     * after 500 ms, then 1 s, while no answer comes); returns the first final status, -1 if none.
     */
    int retransmitLast() throws IOException {
        for (int wait : new int[] {500, 1000, 2000}) {
            int status = transmit(lastSent, lastCallId, wait);
            if (status != -1) {
                return status;
            }
        }
        return -1;
    }

    /**
     * Sends the last request again with a new Via branch: a new request that replays the old credentials
     * (same nonce, same nonce-count). Returns the final status.
     */
    int replayLastAsNewRequest() throws IOException {
        return transmit(lastSent.replaceFirst("branch=z9hG4bK-dc\\d+", "branch=z9hG4bK-replay" + System.nanoTime()),
                lastCallId);
    }

    private int transmit(String msg, String callId) throws IOException {
        return transmit(msg, callId, 2000);
    }

    private int transmit(String msg, String callId, int waitMillis) throws IOException {
        byte[] b = msg.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), serverPort));
        long end = System.currentTimeMillis() + waitMillis;
        byte[] buf = new byte[65536];
        while (System.currentTimeMillis() < end) {
            socket.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            Matcher m = STATUS.matcher(text);
            if (m.find() && text.contains(callId) && !m.group(1).equals("100")) {
                last = text;
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    @Override
    public void close() {
        socket.close();
    }
}
