package org.peerline.provisioning.phones;

/**
 * How a template's values are made safe for the file format. Control characters (line breaks included) are refused
 * in every format: in a {@code key = value} file they would start a new key, and no phone field needs them. Messages
 * name the template variable, never the value (it may be a password).
 */
enum Escaping {
    /** Yealink {@code .cfg}: values go as they are, one {@code key = value} per line. */
    CFG {
        @Override
        String escape(String value) {
            return value;
        }
    },
    /** XML text and double- or single-quoted attribute values. */
    XML {
        @Override
        String escape(String value) {
            StringBuilder out = new StringBuilder(value.length() + 16);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '&' -> out.append("&amp;");
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '"' -> out.append("&quot;");
                    case '\'' -> out.append("&apos;");
                    default -> out.append(c);
                }
            }
            return out.toString();
        }
    };

    /**
     * Checks and escapes one value.
     *
     * @param name  the template variable, for the message
     * @param value the value
     * @return the value as it may appear in the file
     * @throws IllegalArgumentException if the value holds a control character or a non-character (U+FFFE, U+FFFF)
     */
    final String apply(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFE' || c == '\uFFFF') {
                throw new IllegalArgumentException(String.format("${%s}: character U+%04X at position %d is not "
                        + "allowed in a phone configuration file", name, (int) c, i + 1));
            }
        }
        return escape(value);
    }

    abstract String escape(String value);
}
