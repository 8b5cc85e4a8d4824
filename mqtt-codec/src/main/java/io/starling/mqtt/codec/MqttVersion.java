package io.starling.mqtt.codec;

/** The protocol versions Starling speaks, identified on the wire by protocol name and level. */
public enum MqttVersion {
    MQTT_3_1("MQIsdp", 3),
    MQTT_3_1_1("MQTT", 4),
    MQTT_5("MQTT", 5);

    private final String protocolName;
    private final int level;

    MqttVersion(String protocolName, int level) {
        this.protocolName = protocolName;
        this.level = level;
    }

    public String protocolName() {
        return protocolName;
    }

    public int level() {
        return level;
    }

    public boolean isV5() {
        return this == MQTT_5;
    }

    /** Returns the version for a CONNECT's protocol level, or null when the level is unknown. */
    public static MqttVersion ofLevel(int level) {
        switch (level) {
            case 3: return MQTT_3_1;
            case 4: return MQTT_3_1_1;
            case 5: return MQTT_5;
            default: return null;
        }
    }
}
