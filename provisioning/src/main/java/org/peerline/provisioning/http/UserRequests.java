package org.peerline.provisioning.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.peerline.provisioning.api.NewPhone;
import org.peerline.provisioning.api.NewUser;
import org.peerline.provisioning.api.UserUpdate;
import org.peerline.provisioning.api.Vendor;

/**
 * Turns request bodies into API values. Checks the JSON shape only (known fields, string values); the values
 * themselves are validated by {@link org.peerline.provisioning.api.Users}.
 */
final class UserRequests {
    private static final Set<String> CREATE_FIELDS = Set.of("name", "password", "extension", "display");
    private static final Set<String> PHONE_FIELDS = Set.of("mac", "vendor", "model", "lines");
    private static final Set<String> PATCH_FIELDS = Set.of("password", "extension", "display");

    private UserRequests() {
    }

    /** Reads {@code {"name", "password", "extension", "display"}} for {@code POST /api/users}. */
    static NewUser newUser(JsonNode body) throws HttpError {
        requireObject(body, CREATE_FIELDS, "name, password, extension, display");
        return new NewUser(text(body, "name"), text(body, "password"), text(body, "extension"),
                text(body, "display"));
    }

    /** Reads {@code {"mac", "vendor", "model", "lines": ["alice", ...]}} for {@code POST /api/phones}. */
    static NewPhone newPhone(JsonNode body) throws HttpError {
        requireObject(body, PHONE_FIELDS, "mac, vendor, model, lines");
        String vendor = text(body, "vendor");
        if (vendor == null) {
            throw new HttpError(400, "vendor: is required; one of yealink, polycom, grandstream, cisco");
        }
        JsonNode lines = body.get("lines");
        if (lines == null || !lines.isArray()) {
            throw new HttpError(400, "lines: must be an array of user names, line 1 first");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode line : lines) {
            if (!line.isTextual()) {
                throw new HttpError(400, "lines: must be an array of user names (strings)");
            }
            names.add(line.textValue());
        }
        try {
            return new NewPhone(text(body, "mac"), Vendor.parse(vendor), text(body, "model"), names);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    /**
     * Reads {@code {"password", "extension", "display"}} for {@code PATCH /api/users/{name}}. An absent field is left
     * unchanged; {@code ""} or {@code null} removes the extension or display name (RFC 7396 merge-patch style).
     */
    static UserUpdate update(JsonNode body) throws HttpError {
        if (body.isObject() && body.has("name")) {
            throw new HttpError(400, "name: cannot be changed; add a new user and remove this one instead");
        }
        requireObject(body, PATCH_FIELDS, "password, extension, display");
        if (body.has("password") && body.get("password").isNull()) {
            throw new HttpError(400, "password: cannot be removed; send a new password instead");
        }
        return new UserUpdate(text(body, "password"), clearable(body, "extension"), clearable(body, "display"));
    }

    private static void requireObject(JsonNode body, Set<String> allowed, String expected) throws HttpError {
        if (!body.isObject()) {
            throw new HttpError(400, "the request body must be a JSON object with " + expected);
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new HttpError(400, "unknown field '" + name + "'; expected " + expected);
            }
        }
    }

    /** Returns the string field, or null if it is absent or JSON null. */
    private static String text(JsonNode body, String field) throws HttpError {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new HttpError(400, field + ": must be a string" + ("extension".equals(field)
                    ? " of digits, for example \"1001\"" : ""));
        }
        return value.textValue();
    }

    /** Like {@link #text}, but JSON null means "remove" and becomes the empty string. */
    private static String clearable(JsonNode body, String field) throws HttpError {
        JsonNode value = body.get(field);
        return value != null && value.isNull() ? "" : text(body, field);
    }
}
