package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.PropertyId.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written packets of every type for one version, rich in 5.0 properties (user properties,
 * subscription identifiers, message expiry, correlation data...). Built fresh per call: a PUBLISH
 * holds a pooled payload the caller releases.
 */
final class OracleSamples {
    private OracleSamples() {
    }

    static List<String> names(MqttVersion v) {
        List<String> names = new ArrayList<>(List.of("CONNECT", "CONNECT minimal", "CONNACK", "PUBLISH qos0",
                "PUBLISH qos1", "PUBLISH qos2 empty payload", "PUBACK", "PUBACK short", "PUBREC", "PUBREL", "PUBCOMP",
                "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT",
                "DISCONNECT normal"));
        if (v.isV5()) {
            names.addAll(List.of("AUTH", "AUTH success", "PUBACK reason only", "DISCONNECT reason only"));
        }
        return names;
    }

    static Packet build(String name, MqttVersion v) {
        boolean v5 = v.isV5();
        switch (name) {
            case "CONNECT":
                return new Connect(v, "starling-1", true, 60, "user €", bytes("secret"),
                        new Will("will/topic/日本", bytes("bye"), QoS.AT_LEAST_ONCE, true, v5 ? Properties.builder()
                                .number(WILL_DELAY_INTERVAL, 10).number(MESSAGE_EXPIRY_INTERVAL, 3600)
                                .number(PAYLOAD_FORMAT_INDICATOR, 1).text(CONTENT_TYPE, "text/plain")
                                .text(RESPONSE_TOPIC, "resp/1").binary(CORRELATION_DATA, bytes("corr"))
                                .user("k", "v").build() : Properties.EMPTY),
                        v5 ? Properties.builder().number(SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL)
                                .number(RECEIVE_MAXIMUM, 20).number(MAXIMUM_PACKET_SIZE, 1 << 20)
                                .number(TOPIC_ALIAS_MAXIMUM, 10).number(REQUEST_RESPONSE_INFORMATION, 1)
                                .number(REQUEST_PROBLEM_INFORMATION, 0).user("app", "one").user("app", "two")
                                .text(AUTHENTICATION_METHOD, "SCRAM-SHA-1").binary(AUTHENTICATION_DATA, bytes("data"))
                                .build() : Properties.EMPTY);
            case "CONNECT minimal":
                return new Connect(v, "c", false, 0, null, null, null, Properties.EMPTY);
            case "CONNACK":
                return new ConnAck(v != MqttVersion.MQTT_3_1, v5 ? ReasonCode.SUCCESS : ReasonCode.V3_ACCEPTED,
                        v5 ? Properties.builder().number(SESSION_EXPIRY_INTERVAL, 7200).number(RECEIVE_MAXIMUM, 100)
                                .number(MAXIMUM_QOS, 1).number(RETAIN_AVAILABLE, 1).number(MAXIMUM_PACKET_SIZE, 65536)
                                .text(ASSIGNED_CLIENT_IDENTIFIER, "auto-1").number(TOPIC_ALIAS_MAXIMUM, 5)
                                .text(REASON_STRING, "welcome").user("server", "starling")
                                .number(WILDCARD_SUBSCRIPTION_AVAILABLE, 1)
                                .number(SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1).number(SHARED_SUBSCRIPTION_AVAILABLE, 0)
                                .number(SERVER_KEEP_ALIVE, 30).text(RESPONSE_INFORMATION, "resp/")
                                .text(SERVER_REFERENCE, "other:1883").text(AUTHENTICATION_METHOD, "SCRAM-SHA-1")
                                .binary(AUTHENTICATION_DATA, bytes("final")).build() : Properties.EMPTY);
            case "PUBLISH qos0":
                return new Publish(false, QoS.AT_MOST_ONCE, false, "sensors/temp", 0, Properties.EMPTY,
                        Bytes.pooled(bytes("21.5")));
            case "PUBLISH qos1":
                return new Publish(true, QoS.AT_LEAST_ONCE, true, "temp/€/日本", 0xFFFF, v5 ? Properties.builder()
                        .number(PAYLOAD_FORMAT_INDICATOR, 1).number(MESSAGE_EXPIRY_INTERVAL, 3600)
                        .number(TOPIC_ALIAS, 3).text(RESPONSE_TOPIC, "reply/here")
                        .binary(CORRELATION_DATA, new byte[] {1, 2, 3, 0, -1}).user("a", "1").user("a", "2")
                        .number(SUBSCRIPTION_IDENTIFIER, 1).number(SUBSCRIPTION_IDENTIFIER, VariableByteInteger.MAX)
                        .text(CONTENT_TYPE, "application/json").build() : Properties.EMPTY,
                        Bytes.pooled(bytes("{\"t\":21.5}".repeat(40))));
            case "PUBLISH qos2 empty payload":
                return new Publish(false, QoS.EXACTLY_ONCE, true, "retained/delete", 7, Properties.EMPTY,
                        Bytes.pooled(new byte[0]));
            case "PUBACK":
                return new PubAck(1, v5 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : 0, props(v, "no one listening"));
            case "PUBACK short":
                return new PubAck(0x1234);
            case "PUBACK reason only":
                return new PubAck(9, ReasonCode.QUOTA_EXCEEDED, Properties.EMPTY);
            case "PUBREC":
                return new PubRec(2, v5 ? ReasonCode.UNSPECIFIED_ERROR : 0, props(v, "rec"));
            case "PUBREL":
                return new PubRel(3, v5 ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : 0, props(v, "rel"));
            case "PUBCOMP":
                return new PubComp(4, 0, props(v, "comp"));
            case "SUBSCRIBE":
                return new Subscribe(10, List.of(
                        new Subscription("a/+/c", v5 ? new SubscriptionOptions(QoS.AT_LEAST_ONCE, true, false, 0)
                                : SubscriptionOptions.of(QoS.AT_LEAST_ONCE)),
                        new Subscription("#", v5 ? new SubscriptionOptions(QoS.EXACTLY_ONCE, false, true, 2)
                                : SubscriptionOptions.of(QoS.EXACTLY_ONCE)),
                        new Subscription("$share/g/日本/#", v5 ? new SubscriptionOptions(QoS.AT_MOST_ONCE, true, true, 1)
                                : SubscriptionOptions.of(QoS.AT_MOST_ONCE))),
                        v5 ? Properties.builder().number(SUBSCRIPTION_IDENTIFIER, 42).user("x", "y").build()
                                : Properties.EMPTY);
            case "SUBACK":
                return new SubAck(10, v5 ? List.of(0, 1, 2, 0x80, 0x87, 0xA2) : List.of(0, 1, 2, 0x80),
                        props(v, "granted"));
            case "UNSUBSCRIBE":
                return new Unsubscribe(11, List.of("a/b", "c/#", "ü/+"),
                        v5 ? Properties.builder().user("why", "done").build() : Properties.EMPTY);
            case "UNSUBACK":
                return new UnsubAck(11, v5 ? List.of(0, 0x11, 0x87) : List.of(), props(v, "gone"));
            case "PINGREQ":
                return PingReq.INSTANCE;
            case "PINGRESP":
                return PingResp.INSTANCE;
            case "DISCONNECT":
                return v5 ? new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, Properties.builder()
                        .number(SESSION_EXPIRY_INTERVAL, 0).text(REASON_STRING, "bye").text(SERVER_REFERENCE, "b:1883")
                        .user("k", "v").build()) : Disconnect.NORMAL;
            case "DISCONNECT normal":
                return Disconnect.NORMAL;
            case "DISCONNECT reason only":
                return new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, Properties.EMPTY);
            case "AUTH":
                return new Auth(ReasonCode.CONTINUE_AUTHENTICATION, Properties.builder()
                        .text(AUTHENTICATION_METHOD, "SCRAM-SHA-1").binary(AUTHENTICATION_DATA, bytes("challenge"))
                        .text(REASON_STRING, "continue").user("step", "2").build());
            case "AUTH success":
                return new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** A reason string and a user property in 5.0; nothing before. */
    private static Properties props(MqttVersion v, String reason) {
        return v.isV5() ? Properties.builder().text(REASON_STRING, reason).user("trace", "t-1").build()
                : Properties.EMPTY;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
