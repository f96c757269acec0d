package org.peerline.overlay.message;

/** RELOAD message codes (RFC 6940 §14.8): requests are odd, their answers the next even number. */
public enum MessageCode {
    PROBE_REQ(1), PROBE_ANS(2),
    ATTACH_REQ(3), ATTACH_ANS(4),
    STORE_REQ(7), STORE_ANS(8),
    FETCH_REQ(9), FETCH_ANS(10),
    FIND_REQ(13), FIND_ANS(14),
    JOIN_REQ(15), JOIN_ANS(16),
    LEAVE_REQ(17), LEAVE_ANS(18),
    UPDATE_REQ(19), UPDATE_ANS(20),
    ROUTE_QUERY_REQ(21), ROUTE_QUERY_ANS(22),
    PING_REQ(23), PING_ANS(24),
    STAT_REQ(25), STAT_ANS(26),
    APP_ATTACH_REQ(29), APP_ATTACH_ANS(30),
    CONFIG_UPDATE_REQ(33), CONFIG_UPDATE_ANS(34),
    ERROR(0xffff);

    public final int code;

    MessageCode(int code) {
        this.code = code;
    }

    public boolean isRequest() {
        return this != ERROR && (code & 1) == 1;
    }

    /** The answer code of a request. */
    public MessageCode answer() {
        if (!isRequest()) {
            throw new IllegalStateException(this + " is not a request");
        }
        return of(code + 1);
    }

    /** The code's enum, or null if RELOAD defines no such message. */
    public static MessageCode of(int code) {
        for (MessageCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
