package org.peerline.gateway.daemon;

import java.nio.file.Path;

/** A configuration problem, located in its source file: rendered as {@code FILE:LINE: reason}. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String reason;

    /**
     * @param file the file the value came from, or null for embedded defaults
     * @param line 1-based line, or 0 when unknown
     */
    public ConfigException(Path file, int line, String reason) {
        super((file == null ? "<defaults>" : file.toString()) + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
