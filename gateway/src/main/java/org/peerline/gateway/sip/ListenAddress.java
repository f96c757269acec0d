package org.peerline.gateway.sip;

import java.util.Locale;

/**
 * One SIP listening socket: {@code udp:HOST:PORT}, {@code tcp:HOST:PORT} or {@code tls:HOST:PORT}; IPv6 hosts in
 * brackets. TLS is the federation's transport between boxes (see {@link SipEdge.Federation}).
 */
public record ListenAddress(Transport transport, String host, int port) {

    /** SIP transports the gateway listens on. */
    public enum Transport {
        UDP, TCP, TLS;

        /** The transport token used in Via headers and URIs ({@code udp}, {@code tcp}, {@code tls}). */
        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ListenAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range 0-65535: " + port);
        }
    }

    /** Parses {@code transport:host:port}; throws IllegalArgumentException with the reason. */
    public static ListenAddress parse(String text) {
        int first = text.indexOf(':');
        if (first < 0) {
            throw new IllegalArgumentException("expected transport:host:port, got \"" + text + "\"");
        }
        Transport transport;
        try {
            transport = Transport.valueOf(text.substring(0, first).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown transport \"" + text.substring(0, first)
                    + "\" (expected udp, tcp or tls)", e);
        }
        HostPort hp = HostPort.parse(text.substring(first + 1));
        return new ListenAddress(transport, hp.host(), hp.port());
    }

    /** True if the host is the IPv4 or IPv6 wildcard address. */
    public boolean isWildcard() {
        return "0.0.0.0".equals(host) || "::".equals(host) || "[::]".equals(host);
    }

    @Override
    public String toString() {
        return transport.token() + ":" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** A host and port parsed from {@code host:port} or {@code [v6]:port}. */
    public record HostPort(String host, int port) {
        /** Parses {@code host:port}; throws IllegalArgumentException with the reason. */
        public static HostPort parse(String text) {
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("expected [ipv6]:port, got \"" + text + "\"");
                }
                host = text.substring(1, close);
                port = text.substring(close + 2);
            } else {
                int colon = text.lastIndexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("expected host:port, got \"" + text + "\"");
                }
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
                if (host.contains(":")) {
                    throw new IllegalArgumentException("IPv6 addresses go in brackets: \"" + text + "\"");
                }
            }
            try {
                int p = Integer.parseInt(port);
                if (p < 0 || p > 65535) {
                    throw new IllegalArgumentException("port out of range 0-65535: " + port);
                }
                return new HostPort(host, p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number: \"" + port + "\"", e);
            }
        }
    }
}
