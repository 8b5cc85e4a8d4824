package io.starling.broker.server.differential;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The MQTT 5 properties by the snake-case names scenarios use (MQTT 5 §2.2.2.2), with their wire
 * identifiers and value types. Written here from the specification, independent of our codec.
 */
final class PropertyTable {
    enum Type { BYTE, TWO, FOUR, VARINT, UTF8, BINARY, PAIR }

    record Property(int id, String name, Type type) {
    }

    private static final List<Property> ALL = List.of(
            new Property(0x01, "payload_format", Type.BYTE),
            new Property(0x02, "message_expiry", Type.FOUR),
            new Property(0x03, "content_type", Type.UTF8),
            new Property(0x08, "response_topic", Type.UTF8),
            new Property(0x09, "correlation_data", Type.BINARY),
            new Property(0x0B, "subscription_id", Type.VARINT),
            new Property(0x11, "session_expiry", Type.FOUR),
            new Property(0x12, "assigned_client_id", Type.UTF8),
            new Property(0x13, "server_keep_alive", Type.TWO),
            new Property(0x15, "auth_method", Type.UTF8),
            new Property(0x16, "auth_data", Type.BINARY),
            new Property(0x17, "request_problem_info", Type.BYTE),
            new Property(0x18, "will_delay", Type.FOUR),
            new Property(0x19, "request_response_info", Type.BYTE),
            new Property(0x1A, "response_info", Type.UTF8),
            new Property(0x1C, "server_reference", Type.UTF8),
            new Property(0x1F, "reason_string", Type.UTF8),
            new Property(0x21, "receive_maximum", Type.TWO),
            new Property(0x22, "topic_alias_maximum", Type.TWO),
            new Property(0x23, "topic_alias", Type.TWO),
            new Property(0x24, "maximum_qos", Type.BYTE),
            new Property(0x25, "retain_available", Type.BYTE),
            new Property(0x26, "user_property", Type.PAIR),
            new Property(0x27, "maximum_packet_size", Type.FOUR),
            new Property(0x28, "wildcard_available", Type.BYTE),
            new Property(0x29, "subscription_id_available", Type.BYTE),
            new Property(0x2A, "shared_available", Type.BYTE));

    private static final Map<String, Property> BY_NAME = new HashMap<>();
    private static final Map<Integer, Property> BY_ID = new HashMap<>();

    static {
        for (Property p : ALL) {
            BY_NAME.put(p.name(), p);
            BY_ID.put(p.id(), p);
        }
    }

    private PropertyTable() {
    }

    /** The property of that name, or null. */
    static Property named(String name) {
        return BY_NAME.get(name);
    }

    /** The property with that wire identifier, or null. */
    static Property withId(int id) {
        return BY_ID.get(id);
    }
}
