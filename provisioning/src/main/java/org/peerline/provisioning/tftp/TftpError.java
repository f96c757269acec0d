package org.peerline.provisioning.tftp;

/** The TFTP error codes this server sends (RFC 1350 section 5; RFC 2347 for option negotiation). */
enum TftpError {
    /** Not defined, see the message: internal errors and "server busy". */
    NOT_DEFINED(0),
    FILE_NOT_FOUND(1),
    ACCESS_VIOLATION(2),
    ILLEGAL_OPERATION(4),
    UNKNOWN_TRANSFER_ID(5),
    /** RFC 2347: the request carried an option with a value the server does not accept. */
    OPTION_REFUSED(8);

    final int code;

    TftpError(int code) {
        this.code = code;
    }
}
