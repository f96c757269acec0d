package org.peerline.overlay.message;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The value of a SIP-REGISTRATION entry (RFC 7904 §3): either {@code sip_registration_uri} (1), a URI where the
 * AOR is reached, or {@code sip_registration_route} (2), callee capabilities ({@code contact_prefs}, empty here)
 * and a Destination list: the AOR is reached by an AppAttach routed to that destination, which then carries the
 * SIP. Exactly one of {@code uri} and {@code route} is set.
 */
public record SipRegistrationValue(String uri, List<Destination> route) {
    public static final int TYPE_URI = 1;
    public static final int TYPE_ROUTE = 2;

    public SipRegistrationValue {
        if ((uri == null) == (route == null)) {
            throw new IllegalArgumentException("a SIP registration is a URI or a route, not both or neither");
        }
        route = route == null ? null : List.copyOf(route);
    }

    public static SipRegistrationValue ofUri(String uri) {
        return new SipRegistrationValue(uri, null);
    }

    public static SipRegistrationValue ofRoute(List<Destination> route) {
        return new SipRegistrationValue(null, route);
    }

    public byte[] encode() {
        WireWriter data = new WireWriter();
        if (uri != null) {
            data.opaque(2, uri.getBytes(StandardCharsets.UTF_8));
        } else {
            data.opaque(2, new byte[0]); // contact_prefs
            Destination.writeList(data, route);
        }
        return new WireWriter().u8(uri != null ? TYPE_URI : TYPE_ROUTE).opaque(2, data.toByteArray()).toByteArray();
    }

    public static SipRegistrationValue decode(byte[] value) throws DecodeException {
        WireReader r = new WireReader(value);
        int type = r.u8("SipRegistrationType");
        WireReader data = new WireReader(r.opaque(2, "SipRegistration"));
        r.expectEnd("SipRegistration");
        SipRegistrationValue v = switch (type) {
            case TYPE_URI -> ofUri(new String(data.opaque(2, "uri"), StandardCharsets.UTF_8));
            case TYPE_ROUTE -> {
                data.opaque(2, "contact_prefs");
                List<Destination> route = Destination.readList(data);
                if (route.isEmpty()) {
                    throw new DecodeException("sip_registration_route with an empty destination_list");
                }
                yield ofRoute(route);
            }
            default -> throw new DecodeException("unknown SipRegistrationType " + type);
        };
        data.expectEnd("SipRegistration data");
        return v;
    }
}
