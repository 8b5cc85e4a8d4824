package io.starling.broker.config;

/** Where log lines go ({@code log_dest}); {@code log_dest none} is the empty set. */
public enum LogDestination {
    STDOUT("stdout"),
    STDERR("stderr"),
    SYSLOG("syslog"),
    /** {@code $SYS/broker/log/<severity>}. */
    TOPIC("topic"),
    /** The file named by {@link LoggingConfig#file()}. */
    FILE("file"),
    /** The automotive Diagnostic Log and Trace daemon. */
    DLT("dlt");

    private final String configName;

    LogDestination(String configName) {
        this.configName = configName;
    }

    /** The spelling in mosquitto.conf. */
    public String configName() {
        return configName;
    }
}
