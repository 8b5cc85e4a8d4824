package io.starling.broker.config;

/** What a listener speaks ({@code protocol}). */
public enum Protocol {
    MQTT("mqtt"),
    WEBSOCKETS("websockets"),
    /** Mosquitto 2.1's HTTP API (metrics, $SYS values, listeners, static files); no MQTT. */
    HTTP_API("http_api");

    private final String configName;

    Protocol(String configName) {
        this.configName = configName;
    }

    /** The spelling in mosquitto.conf. */
    public String configName() {
        return configName;
    }
}
