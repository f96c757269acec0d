package org.peerline.overlay.message;

import java.util.Arrays;

/**
 * A forwarding option (RFC 6940 §6.3.2.3). No option types are defined yet; unknown ones are carried
 * through as they came, and their flags say what a node that does not understand them must do.
 *
 * @param type  option type (0 is invalid)
 * @param flags {@link #FORWARD_CRITICAL}, {@link #DESTINATION_CRITICAL}, {@link #RESPONSE_COPY}
 * @param value the option's contents
 */
public record ForwardingOption(int type, int flags, byte[] value) {
    public static final int FORWARD_CRITICAL = 0x01;
    public static final int DESTINATION_CRITICAL = 0x02;
    public static final int RESPONSE_COPY = 0x04;

    public ForwardingOption {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardingOption f && f.type == type && f.flags == flags && Arrays.equals(value, f.value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type + flags) + Arrays.hashCode(value);
    }

    void write(WireWriter w) {
        w.u8(type).u8(flags).opaque(2, value);
    }

    static ForwardingOption read(WireReader r) throws DecodeException {
        return new ForwardingOption(r.u8("option type"), r.u8("option flags"), r.opaque(2, "option"));
    }
}
