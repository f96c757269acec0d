package org.peerline.overlay.api;

/** Where a peer accepts overlay links: an IP address (literal) and a TCP port (0 to listen on any free port). */
public record PeerAddress(String host, int port) {
    public PeerAddress {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("peer address without a host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Parses {@code host:port} (IPv6 in brackets: {@code [::1]:6084}). */
    public static PeerAddress parse(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + s + "'");
        }
        return new PeerAddress(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
