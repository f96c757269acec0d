package org.peerline.overlay.message;

/** RELOAD error codes (RFC 6940 §14.9). */
public enum ErrorCode {
    FORBIDDEN(2),
    NOT_FOUND(3),
    REQUEST_TIMEOUT(4),
    GENERATION_COUNTER_TOO_LOW(5),
    INCOMPATIBLE_WITH_OVERLAY(6),
    UNSUPPORTED_FORWARDING_OPTION(7),
    DATA_TOO_LARGE(8),
    DATA_TOO_OLD(9),
    TTL_EXCEEDED(10),
    MESSAGE_TOO_LARGE(11),
    UNKNOWN_KIND(12),
    UNKNOWN_EXTENSION(13),
    RESPONSE_TOO_LARGE(14),
    CONFIG_TOO_OLD(15),
    CONFIG_TOO_NEW(16),
    IN_PROGRESS(17),
    EXP_A(18),
    EXP_B(19),
    INVALID_MESSAGE(20);

    public final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public static ErrorCode of(int code) {
        for (ErrorCode e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
