package org.peerline.provisioning.http;

import java.util.HashMap;
import java.util.Map;

/**
 * A response ready to send: status, serialised JSON body (null for none) and extra headers.
 *
 * @param status  the HTTP status
 * @param body    the JSON bytes, or null for no body (204)
 * @param headers extra headers
 */
record Response(int status, byte[] body, Map<String, String> headers) {
    Response {
        headers = Map.copyOf(headers);
    }

    static Response noContent() {
        return new Response(204, null, Map.of());
    }

    Response withHeader(String name, String value) {
        Map<String, String> more = new HashMap<>(headers);
        more.put(name, value);
        return new Response(status, body, more);
    }
}
