package org.peerline.provisioning.http;

import java.util.Map;

/** Ends a request with an HTTP error status and a JSON {@code {"error": message}} body. */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, String> headers;

    HttpError(int status, String message) {
        this(status, message, Map.of());
    }

    HttpError(int status, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    int status() {
        return status;
    }

    /** Extra response headers, for example {@code Allow} on a 405. */
    Map<String, String> headers() {
        return headers == null ? Map.of() : headers;
    }
}
