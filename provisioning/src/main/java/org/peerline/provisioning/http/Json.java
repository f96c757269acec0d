package org.peerline.provisioning.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.Map;
import org.peerline.provisioning.api.Phone;
import org.peerline.provisioning.api.User;

/** JSON reading and writing for the admin API. */
final class Json {
    private final ObjectMapper mapper;

    Json() {
        // java.time values (Instant, Duration, ...) as ISO-8601 strings, without the jackson-datatype-jsr310 module.
        SimpleModule time = new SimpleModule("peerline-java-time");
        time.addSerializer(TemporalAccessor.class, ToStringSerializer.instance);
        time.addSerializer(TemporalAmount.class, ToStringSerializer.instance);
        this.mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .addModule(time)
                .build();
    }

    /** Parses a request body; throws a 400 that says where the JSON is malformed. */
    JsonNode parse(byte[] body) throws HttpError {
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new HttpError(400, "malformed JSON" + where(e.getLocation()) + hint(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new HttpError(400, "the request body is empty; send a JSON object");
        }
        return node;
    }

    /** Serialises {@code body} as a response with {@code status}. */
    Response response(int status, Object body) {
        try {
            return new Response(status, mapper.writeValueAsBytes(body), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a " + body.getClass().getName() + " response: "
                    + e.getOriginalMessage(), e);
        }
    }

    Response error(int status, String message) {
        return response(status, Map.of("error", message));
    }

    /** The API's view of a user: never the HA1. */
    ObjectNode user(User user) {
        ObjectNode node = mapper.createObjectNode();
        node.put("name", user.name());
        node.put("extension", user.extension());
        node.put("display", user.displayName());
        node.put("created", user.created().toString());
        return node;
    }

    /** The API's view of a phone; its SIP password only when {@code withPassword} (one phone, not lists). */
    ObjectNode phone(Phone phone, boolean withPassword) {
        ObjectNode node = mapper.createObjectNode();
        node.put("mac", phone.displayMac());
        node.put("vendor", phone.vendor().id());
        node.put("model", phone.model());
        phone.lines().forEach(node.putArray("lines")::add);
        if (withPassword) {
            node.put("password", phone.password());
        }
        node.put("created", phone.created().toString());
        return node;
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * Passes on Jackson's reason only when it cannot contain request content: other messages may quote a token
     * from the body, such as an unquoted password.
     */
    private static String hint(String original) {
        if (original != null && (original.startsWith("Duplicate field") || original.startsWith("Trailing token"))) {
            int end = original.indexOf('\n');
            return ": " + (end < 0 ? original : original.substring(0, end));
        }
        return "";
    }
}
