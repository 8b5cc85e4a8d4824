package io.starling.broker.config;

/** Which kinds of log lines are written ({@code log_type}); {@code none} is the empty set, {@code all} every value. */
public enum LogType {
    DEBUG("debug"),
    ERROR("error"),
    WARNING("warning"),
    NOTICE("notice"),
    INFORMATION("information"),
    SUBSCRIBE("subscribe"),
    UNSUBSCRIBE("unsubscribe"),
    WEBSOCKETS("websockets"),
    INTERNAL("internal");

    private final String configName;

    LogType(String configName) {
        this.configName = configName;
    }

    /** The spelling in mosquitto.conf. */
    public String configName() {
        return configName;
    }
}
