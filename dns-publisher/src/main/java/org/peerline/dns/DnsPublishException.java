package org.peerline.dns;

import java.io.IOException;

/** The DNS server did not take the zone's update; the message says why and what to check. */
public class DnsPublishException extends IOException {
    private static final long serialVersionUID = 1L;

    public DnsPublishException(String message) {
        super(message);
    }

    public DnsPublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
