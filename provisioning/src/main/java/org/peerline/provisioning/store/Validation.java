package org.peerline.provisioning.store;

import org.peerline.provisioning.api.InvalidInputException;

/** Checks user input against the module's rules; messages name the field and never echo a password. */
final class Validation {
    static final int MAX_NAME = 64;
    static final int MIN_EXTENSION = 2;
    static final int MAX_EXTENSION = 15;
    static final int MAX_DISPLAY_NAME = 128;
    static final int MAX_PASSWORD = 128;
    static final int MAX_REALM = 255;
    static final int MAX_MODEL = 64;
    static final int MAX_LINES = 16;

    /** RFC 3261 user-part characters besides ASCII letters and digits: "unreserved" marks and "user-unreserved". */
    private static final String NAME_MARKS = "-_.!~*'()&=+$,;?/";
    private static final String NAME_RULE = "use ASCII letters, digits and - _ . ! ~ * ' ( ) & = + $ , ; ? /";

    private Validation() {
    }

    /** Returns whether {@code name} satisfies the name rules, without building a message (the lookup path). */
    static boolean isPossibleName(String name) {
        int length = name.length();
        if (length == 0 || length > MAX_NAME) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (!isNameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Returns whether {@code extension} is 2-15 ASCII digits. */
    static boolean isPossibleExtension(String extension) {
        int length = extension.length();
        if (length < MIN_EXTENSION || length > MAX_EXTENSION) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (!isDigit(extension.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Checks a user name and returns it. */
    static String name(String field, String name) throws InvalidInputException {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException(field, "is required");
        }
        if (name.length() > MAX_NAME) {
            throw new InvalidInputException(field, "is " + name.length() + " characters long; at most " + MAX_NAME
                    + " are allowed");
        }
        for (int i = 0, position = 1; i < name.length(); position++) {
            int cp = name.codePointAt(i);
            if (cp > 0x7f || !isNameChar((char) cp)) {
                throw new InvalidInputException(field, describe(cp) + " at position " + position
                        + " is not allowed; " + NAME_RULE);
            }
            i += Character.charCount(cp);
        }
        return name;
    }

    /** Checks a password and returns it; the message never contains any part of it. */
    static String password(String field, String password) throws InvalidInputException {
        if (password == null || password.isEmpty()) {
            throw new InvalidInputException(field, "is required");
        }
        checkText(field, password, MAX_PASSWORD, false);
        return password;
    }

    /** Checks an extension; returns null for null or empty (no extension), else the extension. */
    static String extension(String field, String extension) throws InvalidInputException {
        if (extension == null || extension.isEmpty()) {
            return null;
        }
        if (!isPossibleExtension(extension)) {
            throw new InvalidInputException(field, "'" + printable(extension) + "' is not an extension; use "
                    + MIN_EXTENSION + "-" + MAX_EXTENSION + " digits 0-9");
        }
        return extension;
    }

    /** Checks a display name; returns null for null or empty (no display name), else the display name. */
    static String displayName(String field, String displayName) throws InvalidInputException {
        if (displayName == null || displayName.isEmpty()) {
            return null;
        }
        checkText(field, displayName, MAX_DISPLAY_NAME, true);
        return displayName;
    }

    /**
     * Returns the MAC address in {@code value} as 12 lowercase hex digits, or null if it is not one: 12 hex digits,
     * in either case, optionally separated by {@code :}, {@code -} or {@code .} (as phones and labels print them).
     */
    static String macOrNull(String value) {
        if (value == null || value.length() > 17) {
            return null;
        }
        StringBuilder hex = new StringBuilder(12);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.digit(c, 16) >= 0 && c < 0x80) {
                hex.append(Character.toLowerCase(c));
            } else if (c != ':' && c != '-' && c != '.') {
                return null;
            }
        }
        return hex.length() == 12 ? hex.toString() : null;
    }

    /** Checks a MAC address and returns it as 12 lowercase hex digits. */
    static String mac(String field, String value) throws InvalidInputException {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(field, "is required");
        }
        String mac = macOrNull(value);
        if (mac == null) {
            throw new InvalidInputException(field, "'" + printable(value) + "' is not a MAC address; use 12 hex "
                    + "digits, e.g. 00:15:65:12:ab:3c or 00156512AB3C");
        }
        return mac;
    }

    /** Checks a phone model; returns null for null or empty, else the model. */
    static String model(String field, String model) throws InvalidInputException {
        if (model == null || model.isEmpty()) {
            return null;
        }
        checkText(field, model, MAX_MODEL, true);
        return model;
    }

    /** Checks a phone's lines (user names, distinct, 1-16) and returns them; existence is checked by the caller. */
    static java.util.List<String> lines(String field, java.util.List<String> lines) throws InvalidInputException {
        if (lines == null || lines.isEmpty()) {
            throw new InvalidInputException(field, "a phone needs at least one line (a user)");
        }
        if (lines.size() > MAX_LINES) {
            throw new InvalidInputException(field, lines.size() + " lines; a phone has at most " + MAX_LINES);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String name = name(field + "[" + i + "]", lines.get(i));
            if (!seen.add(name)) {
                throw new InvalidInputException(field, "user '" + name + "' is on two lines");
            }
        }
        return java.util.List.copyOf(lines);
    }

    /** Checks the digest realm: it is sent in a quoted string, so quotes and backslashes are refused too. */
    static String realm(String realm) throws InvalidInputException {
        if (realm == null || realm.isEmpty()) {
            throw new InvalidInputException("realm", "is required");
        }
        checkText("realm", realm, MAX_REALM, true);
        if (realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0) {
            throw new InvalidInputException("realm", "must not contain '\"' or '\\'");
        }
        return realm;
    }

    private static void checkText(String field, String text, int max, boolean tellWhere)
            throws InvalidInputException {
        int count = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (Character.isISOControl(cp)) {
                throw new InvalidInputException(field, tellWhere
                        ? describe(cp) + " at position " + (count + 1) + " is not allowed"
                        : "must not contain control characters");
            }
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                throw new InvalidInputException(field, "is not valid Unicode (unpaired surrogate)");
            }
            count++;
            i += Character.charCount(cp);
        }
        if (count > max) {
            throw new InvalidInputException(field, "is " + count + " characters long; at most " + max
                    + " are allowed");
        }
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || NAME_MARKS.indexOf(c) >= 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Names a character so that invisible ones (space, controls) are recognisable in a message. */
    private static String describe(int cp) {
        String code = String.format("U+%04X", cp);
        if (Character.isISOControl(cp)) {
            return "control character " + code;
        }
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return "space character " + code;
        }
        return "character '" + new String(Character.toChars(cp)) + "' (" + code + ")";
    }

    /** Quotes a rejected value for a message, replacing control characters and cutting it to a readable length. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(40).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return value.codePointCount(0, value.length()) > 40 ? out + "..." : out.toString();
    }
}
