package io.starling.broker.bridge;

import io.netty.buffer.Unpooled;
import io.starling.broker.config.BridgeConfig;
import io.starling.broker.config.BridgeTopic;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Unsubscribe;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The packets a bridge sends of its own, to each broker, as its config makes them. */
final class BridgePackets {
    static final int SUBSCRIBE_ID = 1;
    static final int UNSUBSCRIBE_ID = 2;
    /** A session that never expires (MQTT 5 Session Expiry Interval). */
    private static final long NEVER = 0xFFFFFFFFL;

    private BridgePackets() {
    }

    /** The remote CONNECT: the notification will, the bridge bit (3.x, {@code try_private}), 5.0 properties. */
    static Connect remoteConnect(BridgeConfig config, MqttVersion version, int receiveMaximum) {
        Will will = null;
        if (remoteNotifications(config)) {
            will = new Will(config.notifications().topic(), new byte[] {'0'}, QoS.AT_LEAST_ONCE, true, Properties.EMPTY);
        }
        Properties.Builder props = Properties.builder();
        if (version == MqttVersion.MQTT_5) {
            if (!config.cleanSession()) {
                // Better than mosquitto 2.0, which sends none and so loses the remote session (its issues 2424, 2793).
                props.number(PropertyId.SESSION_EXPIRY_INTERVAL, NEVER);
            }
            props.number(PropertyId.RECEIVE_MAXIMUM, receiveMaximum);
            if (config.maxPacketSize() > 0) {
                props.number(PropertyId.MAXIMUM_PACKET_SIZE, config.maxPacketSize());
            }
        }
        BridgeConfig.Login login = config.remoteLogin();
        return new Connect(version, config.remoteClientId(), config.cleanSession(), config.keepalive(), username(login),
                password(login), will, props.build(), config.tryPrivate() && version != MqttVersion.MQTT_5);
    }

    /** The retained {@code 1} on the remote notification topic, QoS 0: this direction's packet ids are the local session's. */
    static Publish remoteConnected(BridgeConfig config) {
        return new Publish(false, QoS.AT_MOST_ONCE, true, config.notifications().topic(), 0, Properties.EMPTY,
                Unpooled.wrappedBuffer(new byte[] {'1'}));
    }

    static boolean remoteNotifications(BridgeConfig config) {
        return config.notifications().enabled() && !config.notifications().localOnly();
    }

    /** SUBSCRIBE of the {@code in} and {@code both} topics on the remote broker, or null when there are none. */
    static Subscribe remoteSubscribe(BridgeConfig config, MqttVersion version) {
        boolean v5 = version == MqttVersion.MQTT_5;
        List<Subscription> in = new ArrayList<>();
        for (BridgeTopic t : config.topics()) {
            if (t.direction().in()) {
                // 5.0: No Local and Retain As Published keep two bridged brokers from looping and keep retained flags.
                in.add(new Subscription(t.remoteTopic(), new SubscriptionOptions(QoS.of(t.qos()), v5, v5, 0)));
            }
        }
        return in.isEmpty() ? null : new Subscribe(SUBSCRIBE_ID, in, Properties.EMPTY);
    }

    /** UNSUBSCRIBE of the {@code out}-only topics ({@code bridge_attempt_unsubscribe}), or null. */
    static Unsubscribe remoteUnsubscribe(BridgeConfig config) {
        List<String> outOnly = new ArrayList<>();
        for (BridgeTopic t : config.topics()) {
            if (!t.direction().in() && config.attemptUnsubscribe()) {
                outOnly.add(t.remoteTopic());
            }
        }
        return outOnly.isEmpty() ? null : new Unsubscribe(UNSUBSCRIBE_ID, outOnly, Properties.EMPTY);
    }

    /**
     * The local session's CONNECT (5.0, no keepalive). {@code maximumPacketSize} 0 for none: with the remote broker's,
     * this broker drops and counts what the remote one would refuse (MQTT-3.1.2-25) instead of the remote broker
     * closing the bridge over it.
     */
    static Connect localConnect(BridgeConfig config, boolean clean, int receiveMaximum, long maximumPacketSize) {
        Properties.Builder props = Properties.builder()
                .number(PropertyId.SESSION_EXPIRY_INTERVAL, clean ? 0L : NEVER)
                .number(PropertyId.RECEIVE_MAXIMUM, receiveMaximum);
        if (maximumPacketSize > 0) {
            props.number(PropertyId.MAXIMUM_PACKET_SIZE, maximumPacketSize);
        }
        BridgeConfig.Login login = config.localLogin();
        return new Connect(MqttVersion.MQTT_5, config.localClientId(), clean, 0, username(login), password(login), null,
                props.build());
    }

    /**
     * SUBSCRIBE of the {@code out} and {@code both} topics on this broker, or null: No Local (what the bridge brings
     * in never goes back out), Retain As Published, and the retained messages sent, as mosquitto sends them on
     * each connect.
     */
    static Subscribe localSubscribe(BridgeConfig config) {
        List<Subscription> out = new ArrayList<>();
        for (BridgeTopic t : config.topics()) {
            if (t.direction().out()) {
                out.add(new Subscription(t.localTopic(), new SubscriptionOptions(QoS.of(t.qos()), true, true, 0)));
            }
        }
        return out.isEmpty() ? null : new Subscribe(SUBSCRIBE_ID, out, Properties.EMPTY);
    }

    private static String username(BridgeConfig.Login login) {
        return login == null ? null : login.username();
    }

    private static byte[] password(BridgeConfig.Login login) {
        return login == null || login.password() == null ? null : login.password().getBytes(StandardCharsets.UTF_8);
    }
}
