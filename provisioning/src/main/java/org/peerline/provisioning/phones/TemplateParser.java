package org.peerline.provisioning.phones;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/** Turns template text into {@link Template.Node}s; see {@link Template} for the syntax. Single use. */
final class TemplateParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.]*");

    /** An open block: its name, where it was opened, and the nodes read so far. */
    private record Open(String name, int at, List<Template.Node> body) {
    }

    private final String template;
    private final String src;
    private final Deque<Open> open = new ArrayDeque<>();
    private final StringBuilder text = new StringBuilder();
    private int pos;

    TemplateParser(String template, String src) {
        this.template = template;
        this.src = src;
        open.push(new Open("", 0, new ArrayList<>()));
    }

    /** Parses the whole text. */
    List<Template.Node> parse() {
        while (pos < src.length()) {
            int value = src.indexOf("${", pos);
            int tag = src.indexOf("{{", pos);
            int next = value < 0 ? tag : tag < 0 ? value : Math.min(value, tag);
            if (next < 0) {
                text.append(src, pos, src.length());
                break;
            }
            text.append(src, pos, next);
            if (next == value) {
                readValue(next);
            } else {
                readTag(next);
            }
        }
        flushText();
        if (open.size() > 1) {
            throw error(open.peek().at(), "{{#" + open.peek().name() + "}} is never closed");
        }
        return open.pop().body();
    }

    private void readValue(int at) {
        int end = src.indexOf('}', at);
        if (end < 0) {
            throw error(at, "unterminated ${");
        }
        String name = checkName(src.substring(at + 2, end), at);
        flushText();
        open.peek().body().add(new Template.Value(name));
        pos = end + 1;
    }

    private void readTag(int at) {
        int end = src.indexOf("}}", at + 2);
        if (end < 0) {
            throw error(at, "unterminated {{");
        }
        String tag = src.substring(at + 2, end);
        char kind = tag.isEmpty() ? ' ' : tag.charAt(0);
        if (kind != '#' && kind != '/' && kind != '!') {
            throw error(at, "unknown tag {{" + tag + "}}; use {{#name}}, {{/name}} or {{! comment }}");
        }
        pos = end + 2;
        dropLineIfStandalone(at);
        if (kind == '#') {
            flushText();
            open.push(new Open(checkName(tag.substring(1), at), at, new ArrayList<>()));
        } else if (kind == '/') {
            close(checkName(tag.substring(1), at), at);
        }
    }

    private void close(String name, int at) {
        Open block = open.peek();
        if (open.size() == 1 || !block.name().equals(name)) {
            throw error(at, "{{/" + name + "}} does not close the open block"
                    + (open.size() == 1 ? "" : " {{#" + block.name() + "}}"));
        }
        flushText();
        open.pop();
        open.peek().body().add(new Template.Section(name, block.body()));
    }

    /** If the tag at {@code at} (ending at {@link #pos}) is alone on its line, drops the line's blanks and newline. */
    private void dropLineIfStandalone(int at) {
        int lineStart = src.lastIndexOf('\n', at - 1) + 1;
        int lineEnd = src.indexOf('\n', pos);
        int after = lineEnd < 0 ? src.length() : lineEnd;
        if (isBlank(lineStart, at) && isBlank(pos, after)) {
            text.setLength(text.length() - (at - lineStart));
            pos = lineEnd < 0 ? src.length() : lineEnd + 1;
        }
    }

    private boolean isBlank(int from, int to) {
        for (int i = from; i < to; i++) {
            char c = src.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    private void flushText() {
        if (text.length() > 0) {
            open.peek().body().add(new Template.Text(text.toString()));
            text.setLength(0);
        }
    }

    private String checkName(String name, int at) {
        if (!NAME.matcher(name).matches()) {
            throw error(at, "'" + name + "' is not a valid name");
        }
        return name;
    }

    private IllegalStateException error(int at, String problem) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        return new IllegalStateException("template " + template + ", line " + line + ": " + problem);
    }
}
