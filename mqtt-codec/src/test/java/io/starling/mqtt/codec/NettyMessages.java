package io.starling.mqtt.codec;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import java.util.ArrayList;
import java.util.List;

/** Field-by-field translation between our packets and Netty's codec-mqtt messages (the test oracle). */
final class NettyMessages {
    private NettyMessages() {
    }

    // ---- ours -> Netty ------------------------------------------------------------------------

    /** A Netty message with the same fields; a PUBLISH gets a retained duplicate of the payload. */
    static MqttMessage toNetty(Packet packet, MqttVersion v) {
        switch (packet.type()) {
            case CONNECT: {
                Connect c = (Connect) packet;
                Will w = c.will();
                MqttConnectVariableHeader header = new MqttConnectVariableHeader(c.version().protocolName(),
                        c.version().level(), c.username() != null, c.password() != null, w != null && w.retain(),
                        w == null ? 0 : w.qos().value(), w != null, c.cleanStart(), c.keepAlive(),
                        toNetty(c.properties()));
                MqttConnectPayload payload = new MqttConnectPayload(c.clientId(),
                        w == null ? MqttProperties.NO_PROPERTIES : toNetty(w.properties()),
                        w == null ? null : w.topic(), w == null ? null : w.payload(), c.username(), c.password());
                return new MqttConnectMessage(fixed(MqttMessageType.CONNECT), header, payload);
            }
            case CONNACK: {
                ConnAck c = (ConnAck) packet;
                return new MqttConnAckMessage(fixed(MqttMessageType.CONNACK), new MqttConnAckVariableHeader(
                        MqttConnectReturnCode.valueOf((byte) c.reasonCode()), c.sessionPresent(),
                        toNetty(c.properties())));
            }
            case PUBLISH: {
                Publish p = (Publish) packet;
                return new MqttPublishMessage(
                        new MqttFixedHeader(MqttMessageType.PUBLISH, p.dup(), MqttQoS.valueOf(p.qos().value()),
                                p.retain(), 0),
                        new MqttPublishVariableHeader(p.topic(), p.packetId(), toNetty(p.properties())),
                        p.payload().retainedDuplicate());
            }
            case PUBACK: {
                PubAck a = (PubAck) packet;
                return pubReply(MqttMessageType.PUBACK, a.packetId(), a.reasonCode(), a.properties());
            }
            case PUBREC: {
                PubRec a = (PubRec) packet;
                return pubReply(MqttMessageType.PUBREC, a.packetId(), a.reasonCode(), a.properties());
            }
            case PUBREL: {
                PubRel a = (PubRel) packet;
                return pubReply(MqttMessageType.PUBREL, a.packetId(), a.reasonCode(), a.properties());
            }
            case PUBCOMP: {
                PubComp a = (PubComp) packet;
                return pubReply(MqttMessageType.PUBCOMP, a.packetId(), a.reasonCode(), a.properties());
            }
            case SUBSCRIBE: {
                Subscribe s = (Subscribe) packet;
                List<MqttTopicSubscription> subscriptions = new ArrayList<>();
                for (Subscription sub : s.subscriptions()) {
                    SubscriptionOptions o = sub.options();
                    subscriptions.add(new MqttTopicSubscription(sub.filter(), new MqttSubscriptionOption(
                            MqttQoS.valueOf(o.qos().value()), o.noLocal(), o.retainAsPublished(),
                            MqttSubscriptionOption.RetainedHandlingPolicy.valueOf(o.retainHandling()))));
                }
                return new MqttSubscribeMessage(fixed(MqttMessageType.SUBSCRIBE),
                        new MqttMessageIdAndPropertiesVariableHeader(s.packetId(), toNetty(s.properties())),
                        new MqttSubscribePayload(subscriptions));
            }
            case SUBACK: {
                SubAck s = (SubAck) packet;
                return new MqttSubAckMessage(fixed(MqttMessageType.SUBACK),
                        new MqttMessageIdAndPropertiesVariableHeader(s.packetId(), toNetty(s.properties())),
                        new MqttSubAckPayload(s.reasonCodes()));
            }
            case UNSUBSCRIBE: {
                Unsubscribe u = (Unsubscribe) packet;
                return new MqttUnsubscribeMessage(fixed(MqttMessageType.UNSUBSCRIBE),
                        new MqttMessageIdAndPropertiesVariableHeader(u.packetId(), toNetty(u.properties())),
                        new MqttUnsubscribePayload(u.filters()));
            }
            case UNSUBACK: {
                UnsubAck u = (UnsubAck) packet;
                if (!v.isV5()) {
                    return new MqttUnsubAckMessage(fixed(MqttMessageType.UNSUBACK),
                            MqttMessageIdVariableHeader.from(u.packetId()));
                }
                List<Short> codes = new ArrayList<>();
                u.reasonCodes().forEach(code -> codes.add(code.shortValue()));
                return new MqttUnsubAckMessage(fixed(MqttMessageType.UNSUBACK),
                        new MqttMessageIdAndPropertiesVariableHeader(u.packetId(), toNetty(u.properties())),
                        new MqttUnsubAckPayload(codes));
            }
            case PINGREQ: return MqttMessage.PINGREQ;
            case PINGRESP: return MqttMessage.PINGRESP;
            case DISCONNECT: {
                Disconnect d = (Disconnect) packet;
                return new MqttMessage(fixed(MqttMessageType.DISCONNECT), new MqttReasonCodeAndPropertiesVariableHeader(
                        (byte) d.reasonCode(), toNetty(d.properties())));
            }
            case AUTH: {
                Auth a = (Auth) packet;
                return new MqttMessage(fixed(MqttMessageType.AUTH), new MqttReasonCodeAndPropertiesVariableHeader(
                        (byte) a.reasonCode(), toNetty(a.properties())));
            }
            default:
                throw new IllegalArgumentException(packet.toString());
        }
    }

    private static MqttMessage pubReply(MqttMessageType type, int packetId, int reason, Properties properties) {
        return new MqttMessage(fixed(type),
                new MqttPubReplyMessageVariableHeader(packetId, (byte) reason, toNetty(properties)));
    }

    private static MqttFixedHeader fixed(MqttMessageType type) {
        boolean qos1 = type == MqttMessageType.PUBREL || type == MqttMessageType.SUBSCRIBE
                || type == MqttMessageType.UNSUBSCRIBE;
        return new MqttFixedHeader(type, false, qos1 ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE, false, 0);
    }

    static MqttProperties toNetty(Properties properties) {
        MqttProperties netty = new MqttProperties();
        for (Property p : properties.asList()) {
            int id = p.id().id();
            if (p instanceof Property.Number n) {
                netty.add(new MqttProperties.IntegerProperty(id, (int) n.value()));
            } else if (p instanceof Property.Text t) {
                netty.add(new MqttProperties.StringProperty(id, t.value()));
            } else if (p instanceof Property.Binary b) {
                netty.add(new MqttProperties.BinaryProperty(id, b.value()));
            } else if (p instanceof Property.UserProperty u) {
                netty.add(new MqttProperties.UserProperty(u.name(), u.value()));
            }
        }
        return netty;
    }

    // ---- Netty -> ours ------------------------------------------------------------------------

    /** Our packet with the same fields; a PUBLISH shares (does not retain) the Netty payload. */
    static Packet fromNetty(MqttMessage m, MqttVersion v) {
        MqttFixedHeader fixed = m.fixedHeader();
        Object header = m.variableHeader();
        switch (fixed.messageType()) {
            case CONNECT: {
                MqttConnectMessage c = (MqttConnectMessage) m;
                MqttConnectVariableHeader h = c.variableHeader();
                MqttConnectPayload p = c.payload();
                Will will = h.isWillFlag() ? new Will(p.willTopic(), p.willMessageInBytes(), QoS.of(h.willQos()),
                        h.isWillRetain(), fromNetty(p.willProperties())) : null;
                return new Connect(MqttVersion.ofLevel(h.version()), p.clientIdentifier(), h.isCleanSession(),
                        h.keepAliveTimeSeconds(), h.hasUserName() ? p.userName() : null,
                        h.hasPassword() ? p.passwordInBytes() : null, will, fromNetty(h.properties()));
            }
            case CONNACK: {
                MqttConnAckVariableHeader h = (MqttConnAckVariableHeader) header;
                return new ConnAck(h.isSessionPresent(), h.connectReturnCode().byteValue() & 0xFF,
                        fromNetty(h.properties()));
            }
            case PUBLISH: {
                MqttPublishMessage p = (MqttPublishMessage) m;
                QoS qos = QoS.of(fixed.qosLevel().value());
                return new Publish(fixed.isDup(), qos, fixed.isRetain(), p.variableHeader().topicName(),
                        qos == QoS.AT_MOST_ONCE ? 0 : p.variableHeader().packetId(),
                        fromNetty(p.variableHeader().properties()), p.payload());
            }
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP: {
                MqttPubReplyMessageVariableHeader h = (MqttPubReplyMessageVariableHeader) header;
                int reason = h.reasonCode() & 0xFF;
                Properties props = fromNetty(h.properties());
                switch (fixed.messageType()) {
                    case PUBACK: return new PubAck(h.messageId(), reason, props);
                    case PUBREC: return new PubRec(h.messageId(), reason, props);
                    case PUBREL: return new PubRel(h.messageId(), reason, props);
                    default: return new PubComp(h.messageId(), reason, props);
                }
            }
            case SUBSCRIBE: {
                MqttSubscribeMessage s = (MqttSubscribeMessage) m;
                List<Subscription> subscriptions = new ArrayList<>();
                for (MqttTopicSubscription t : s.payload().topicSubscriptions()) {
                    MqttSubscriptionOption o = t.option();
                    QoS qos = QoS.of(o.qos().value());
                    subscriptions.add(new Subscription(t.topicName(), v.isV5()
                            ? new SubscriptionOptions(qos, o.isNoLocal(), o.isRetainAsPublished(),
                                    o.retainHandling().value())
                            : SubscriptionOptions.of(qos)));
                }
                return new Subscribe(s.variableHeader().messageId(), subscriptions,
                        fromNetty(s.idAndPropertiesVariableHeader().properties()));
            }
            case SUBACK: {
                MqttSubAckMessage s = (MqttSubAckMessage) m;
                return new SubAck(s.variableHeader().messageId(), s.payload().reasonCodes(),
                        fromNetty(s.idAndPropertiesVariableHeader().properties()));
            }
            case UNSUBSCRIBE: {
                MqttUnsubscribeMessage u = (MqttUnsubscribeMessage) m;
                return new Unsubscribe(u.variableHeader().messageId(), u.payload().topics(),
                        fromNetty(u.idAndPropertiesVariableHeader().properties()));
            }
            case UNSUBACK: {
                MqttUnsubAckMessage u = (MqttUnsubAckMessage) m;
                List<Integer> codes = new ArrayList<>();
                if (u.payload() != null) {
                    u.payload().unsubscribeReasonCodes().forEach(code -> codes.add(code & 0xFF));
                }
                return new UnsubAck(u.variableHeader().messageId(), codes,
                        fromNetty(u.idAndPropertiesVariableHeader().properties()));
            }
            case PINGREQ: return PingReq.INSTANCE;
            case PINGRESP: return PingResp.INSTANCE;
            case DISCONNECT:
            case AUTH: {
                int reason = 0;
                Properties props = Properties.EMPTY;
                if (header instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
                    reason = h.reasonCode() & 0xFF;
                    props = fromNetty(h.properties());
                }
                return fixed.messageType() == io.netty.handler.codec.mqtt.MqttMessageType.AUTH
                        ? new Auth(reason, props) : new Disconnect(reason, props);
            }
            default:
                throw new IllegalArgumentException(m.toString());
        }
    }

    static Properties fromNetty(MqttProperties netty) {
        Properties.Builder builder = Properties.builder();
        for (MqttProperties.MqttProperty<?> p : netty.listAll()) {
            Object value = p.value();
            PropertyId id = PropertyId.of(p.propertyId());
            if (p instanceof MqttProperties.UserProperties users) {
                users.value().forEach(pair -> builder.user(pair.key, pair.value));
            } else if (p instanceof MqttProperties.UserProperty user) {
                builder.user(user.value().key, user.value().value);
            } else if (value instanceof Integer i) {
                builder.number(id, i & 0xFFFF_FFFFL);
            } else if (value instanceof String s) {
                builder.text(id, s);
            } else if (value instanceof byte[] b) {
                builder.binary(id, b);
            } else {
                throw new IllegalArgumentException("unexpected Netty property " + p);
            }
        }
        return Packets.sorted(builder.build());
    }
}
