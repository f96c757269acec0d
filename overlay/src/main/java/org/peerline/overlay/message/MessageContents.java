package org.peerline.overlay.message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a RELOAD message says (RFC 6940 §6.3.3): a code, a body whose structure the code determines,
 * and extensions. These bytes, with the overlay and transaction id, are what the sender signs.
 *
 * @param code       the message code (see {@link MessageCode}; unknown codes are kept as numbers)
 * @param body       {@code opaque message_body<0..2^32-1>}
 * @param extensions {@code MessageExtension extensions<0..2^32-1>}
 */
public record MessageContents(int code, byte[] body, List<Extension> extensions) {
    public MessageContents {
        body = body.clone();
        extensions = List.copyOf(extensions);
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("message code out of range: " + code);
        }
    }

    public MessageContents(MessageCode code, byte[] body) {
        this(code.code, body, List.of());
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /**
     * Extension type of a resource name (a SIP AOR) carried by a Store or Fetch, so that the responsible peer
     * can check it against the signer's certificate: exp-ext (1, RFC 6940's experimental value), not critical,
     * contents {@code opaque resource_name<0..2^16-1>} in UTF-8.
     */
    public static final int EXT_RESOURCE_NAME = 1;

    /** The resource-name extension for {@code name}. */
    public static Extension resourceNameExtension(String name) {
        return new Extension(EXT_RESOURCE_NAME, false,
                new WireWriter().opaque(2, name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toByteArray());
    }

    /** The resource name this message carries in its extension, or null. */
    public String resourceName() {
        for (Extension e : extensions) {
            if (e.type() == EXT_RESOURCE_NAME) {
                try {
                    WireReader r = new WireReader(e.contents());
                    String name = new String(r.opaque(2, "resource_name"), java.nio.charset.StandardCharsets.UTF_8);
                    r.expectEnd("resource name extension");
                    return name;
                } catch (DecodeException ex) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The code as an enum, or null for a code RELOAD does not define. */
    public MessageCode messageCode() {
        return MessageCode.of(code);
    }

    /**
     * A message extension (RFC 6940 §6.3.3.1).
     *
     * @param type     extension type
     * @param critical if true, a receiver that does not understand it must reject the message
     * @param contents the extension's bytes
     */
    public record Extension(int type, boolean critical, byte[] contents) {
        public Extension {
            contents = contents.clone();
        }

        @Override
        public byte[] contents() {
            return contents.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Extension e && e.type == type && e.critical == critical
                    && Arrays.equals(contents, e.contents);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * type + Boolean.hashCode(critical)) + Arrays.hashCode(contents);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageContents m && m.code == code && Arrays.equals(body, m.body)
                && extensions.equals(m.extensions);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * code + Arrays.hashCode(body)) + extensions.hashCode();
    }

    /** The encoded structure. */
    byte[] encode() {
        WireWriter w = new WireWriter();
        w.u16(code).opaque(4, body);
        WireWriter ext = new WireWriter();
        for (Extension e : extensions) {
            ext.u16(e.type).u8(e.critical ? 1 : 0).opaque(4, e.contents);
        }
        w.opaque(4, ext.toByteArray());
        return w.toByteArray();
    }

    static MessageContents read(WireReader r) throws DecodeException {
        int code = r.u16("message_code");
        byte[] body = r.opaque(4, "message_body");
        WireReader er = new WireReader(r.opaque(4, "extensions"));
        List<Extension> ext = new ArrayList<>();
        while (er.remaining() > 0) {
            int type = er.u16("extension type");
            int critical = er.u8("extension critical");
            if (critical > 1) {
                throw new DecodeException("extension critical flag " + critical + " is not a Boolean");
            }
            ext.add(new Extension(type, critical == 1, er.opaque(4, "extension_contents")));
        }
        return new MessageContents(code, body, ext);
    }
}
