package io.starling.broker.config;

/** What a listener speaks ({@code protocol}). */
public enum Protocol {
    MQTT("mqtt"),
    WEBSOCKETS("websockets");

    private final String configName;

    Protocol(String configName) {
        this.configName = configName;
    }

    /** The spelling in mosquitto.conf. */
    public String configName() {
        return configName;
    }
}
