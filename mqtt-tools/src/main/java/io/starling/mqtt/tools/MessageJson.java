package io.starling.mqtt.tools;

import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Arrays;

/**
 * The {@code %j} and {@code %J} output of mosquitto_sub 2.0.11 (built with cJSON): timestamp, topic, QoS,
 * retain flag, payload length, the packet identifier for QoS 1 and 2, the message's 5.0 properties in
 * the order they arrived (user properties gathered in one object where the first one was), and the
 * payload: for {@code %j} as a string (cut at its first zero byte, as a C string is), for {@code %J}
 * parsed and printed again as JSON. An empty payload is {@code null}.
 */
final class MessageJson {
    private MessageJson() {
    }

    /** Writes the JSON; false (and nothing written) for {@code %J} when the payload is not JSON. */
    static boolean write(ByteArrayOutputStream out, Publish m, byte[] payload, ZonedDateTime now, boolean escaped,
                         boolean pretty) {
        Object payloadValue;
        if (payload.length == 0) {
            payloadValue = CJson.NULL;
        } else if (escaped) {
            payloadValue = cString(payload);
        } else {
            payloadValue = CJson.parse(payload);
            if (payloadValue == null) {
                return false;
            }
        }
        CJson.JsonObject root = new CJson.JsonObject();
        root.put("tst", timestamp(now).getBytes(StandardCharsets.UTF_8));
        root.put("topic", m.topic().getBytes(StandardCharsets.UTF_8));
        root.put("qos", (double) m.qos().value());
        root.put("retain", m.retain() ? 1.0 : 0.0);
        root.put("payloadlen", (double) payload.length);
        if (m.qos() != QoS.AT_MOST_ONCE) {
            root.put("mid", (double) m.packetId());
        }
        if (!m.properties().isEmpty()) {
            root.put("properties", properties(m));
        }
        root.put("payload", payloadValue);
        CJson.print(out, root, pretty);
        return true;
    }

    /** "2020-05-06T22:12:00.000000+0100" as mosquitto prints it: microseconds, a 'Z', then the offset. */
    static String timestamp(ZonedDateTime now) {
        return Strftime.format('Y', now) + "-" + Strftime.format('m', now) + "-" + Strftime.format('d', now) + "T"
                + Strftime.format('T', now) + "." + String.format("%06d", now.getNano() / 1000) + "Z"
                + Strftime.offset(now);
    }

    private static CJson.JsonObject properties(Publish m) {
        CJson.JsonObject props = new CJson.JsonObject();
        CJson.JsonObject users = null;
        for (Property p : m.properties().asList()) {
            switch (p.id()) {
                case PAYLOAD_FORMAT_INDICATOR:
                case MESSAGE_EXPIRY_INTERVAL:
                case SUBSCRIPTION_IDENTIFIER:
                    props.put(PropertyArguments.name(p.id()), (double) ((Property.Number) p).value());
                    break;
                case TOPIC_ALIAS:
                    // mosquitto reads it under the wrong identifier and prints 0
                    props.put(PropertyArguments.name(p.id()), 0.0);
                    break;
                case CONTENT_TYPE:
                case RESPONSE_TOPIC:
                    props.put(PropertyArguments.name(p.id()),
                            ((Property.Text) p).value().getBytes(StandardCharsets.UTF_8));
                    break;
                case CORRELATION_DATA:
                    props.put(PropertyArguments.name(p.id()), cString(((Property.Binary) p).value()));
                    break;
                case USER_PROPERTY: {
                    Property.UserProperty u = (Property.UserProperty) p;
                    if (users == null) {
                        users = new CJson.JsonObject();
                        props.put("user-properties", users);
                    }
                    users.put(u.name(), u.value().getBytes(StandardCharsets.UTF_8));
                    break;
                }
                default:
                    break;
            }
        }
        return props;
    }

    /** The bytes before the first zero byte: what cJSON takes from a C string. */
    private static byte[] cString(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return Arrays.copyOf(bytes, i);
            }
        }
        return bytes;
    }
}
