package io.starling.mqtt.codec;

import static io.starling.mqtt.codec.MalformedPacketException.malformed;

/**
 * The body of a CONNECT (3.1 §3.1, 3.1.1 §3.1, 5.0 §3.1), read in two steps so that the decoder
 * learns the protocol version before the rest can fail: a broker refusing a malformed 5.0 CONNECT
 * may then answer with a 5.0 CONNACK.
 */
final class ConnectDecoder {
    private static final int RESERVED = 0x01;
    private static final int CLEAN_START = 0x02;
    private static final int WILL = 0x04;
    private static final int WILL_RETAIN = 0x20;
    private static final int PASSWORD = 0x40;
    private static final int USERNAME = 0x80;

    private ConnectDecoder() {
    }

    /** The protocol level of a CONNECT: its version, and whether the 0x80 bit marked it as a bridge's. */
    record Level(MqttVersion version, boolean bridge) {
    }

    /**
     * Reads the protocol name and level. An unknown name is a protocol error (0x82); a known name with
     * a level we do not speak is 0x84, so the broker can answer CONNACK 0x01 (3.1.1) or 0x84 (5.0).
     * The level's top bit (0x83, 0x84: mosquitto's {@code try_private}) says the client is a bridge.
     */
    static Level readLevel(WireReader r) {
        String name = r.readString("protocol name");
        int raw = r.readUnsignedByte("protocol level");
        boolean bridge = (raw & Connect.BRIDGE_LEVEL_BIT) != 0;
        int level = raw & ~Connect.BRIDGE_LEVEL_BIT;
        boolean mqtt = name.equals(MqttVersion.MQTT_3_1_1.protocolName());
        if (!mqtt && !name.equals(MqttVersion.MQTT_3_1.protocolName())) {
            throw MalformedPacketException.protocolError("unknown protocol name '" + name + "'");
        }
        MqttVersion version = MqttVersion.ofLevel(level);
        if (version == null || !version.protocolName().equals(name)) {
            throw new MalformedPacketException(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
                    "unsupported protocol level " + raw + " for " + name);
        }
        if (bridge && version == MqttVersion.MQTT_5) {
            // MQTT 5 bridges use the No Local subscription option instead; mosquitto 2.0.11 closes such a connection
            // without an answer, as for an unknown protocol name (measured: differential/bridges.scenarios).
            throw MalformedPacketException.protocolError("protocol level " + raw + ": the bridge bit is for 3.1 and 3.1.1");
        }
        return new Level(version, bridge);
    }

    /** Reads the rest of the CONNECT after {@link #readLevel}. */
    static Connect readRest(WireReader r, Level level) {
        MqttVersion version = level.version();
        int flags = r.readUnsignedByte("connect flags");
        if ((flags & RESERVED) != 0) {
            throw malformed("reserved connect flag set");
        }
        boolean hasWill = (flags & WILL) != 0;
        int willQos = (flags >> 3) & 0x03;
        boolean willRetain = (flags & WILL_RETAIN) != 0;
        boolean hasUsername = (flags & USERNAME) != 0;
        boolean hasPassword = (flags & PASSWORD) != 0;
        if (!hasWill && (willQos != 0 || willRetain)) {
            throw malformed("will QoS or will retain set without the will flag");
        }
        if (willQos == 3) {
            throw malformed("will QoS 3");
        }
        if (!version.isV5() && hasPassword && !hasUsername) {
            throw malformed("password flag without username flag");
        }
        int keepAlive = r.readUnsignedShort("keep alive");
        Properties properties = version.isV5()
                ? PropertiesCodec.read(r, PacketType.CONNECT, false) : Properties.EMPTY;

        String clientId = r.readString("client identifier");
        Will will = null;
        if (hasWill) {
            Properties willProperties = version.isV5()
                    ? PropertiesCodec.read(r, PacketType.CONNECT, true) : Properties.EMPTY;
            String topic = r.readString("will topic");
            byte[] payload = r.readBinary("will payload");
            will = new Will(topic, payload, QoS.of(willQos), willRetain, willProperties);
        }
        String username = hasUsername ? r.readString("user name") : null;
        byte[] password = hasPassword ? r.readBinary("password") : null;
        r.expectEnd(PacketType.CONNECT);
        return new Connect(version, clientId, (flags & CLEAN_START) != 0, keepAlive, username, password, will,
                properties, level.bridge());
    }
}
