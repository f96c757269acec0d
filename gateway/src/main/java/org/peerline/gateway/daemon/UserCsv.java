package org.peerline.gateway.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.User;

/**
 * Users as CSV (RFC 4180 quoting), header {@code name,password,extension,display}: read for {@code peerline user
 * import} and {@code POST /api/users.csv}, written (passwords empty: only HA1 is stored) for
 * {@code GET /api/users.csv}.
 */
final class UserCsv {
    /** A CSV problem, with file and line. */
    static final class CsvException extends Exception {
        private static final long serialVersionUID = 1L;

        CsvException(Object file, int line, String reason) {
            super(file + ":" + line + ": " + reason);
        }
    }

    private static final List<String> HEADER = List.of("name", "password", "extension", "display");

    private UserCsv() {
    }

    static List<NewUser> read(Path file) throws IOException, CsvException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file);
        }
    }

    /** Reads CSV text; {@code file} names its source in messages. */
    static List<NewUser> read(BufferedReader r, Object file) throws IOException, CsvException {
        List<NewUser> out = new ArrayList<>();
        {
            String line = r.readLine();
            int n = 1;
            if (line == null || !split(line, file, n).stream().map(String::trim).toList().equals(HEADER)) {
                throw new CsvException(file, 1, "the first line must be the header " + String.join(",", HEADER));
            }
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = split(line, file, n);
                if (f.size() != HEADER.size()) {
                    throw new CsvException(file, n, "expected 4 fields, found " + f.size());
                }
                try {
                    out.add(new NewUser(f.get(0), f.get(1), blank(f.get(2)), blank(f.get(3))));
                } catch (IllegalArgumentException e) {
                    throw new CsvException(file, n, e.getMessage());
                }
            }
        }
        return out;
    }

    private static String blank(String s) {
        return s.isBlank() ? null : s;
    }

    /** Writes {@code users} with the import header; the password column is empty. */
    static String write(List<User> users) {
        StringBuilder sb = new StringBuilder(String.join(",", HEADER)).append("\r\n");
        for (User u : users) {
            sb.append(quote(u.name())).append(",,").append(quote(u.extension())).append(',')
                    .append(quote(u.displayName())).append("\r\n");
        }
        return sb.toString();
    }

    private static String quote(String s) {
        if (s == null) {
            return "";
        }
        return s.matches("[^,\"\r\n]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static List<String> split(String line, Object file, int n) throws CsvException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' && cur.length() == 0) {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new CsvException(file, n, "unterminated quoted field");
        }
        out.add(cur.toString());
        return out;
    }
}
