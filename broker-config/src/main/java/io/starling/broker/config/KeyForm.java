package io.starling.broker.config;

/** Where a listener's private key lives ({@code tls_keyform}). */
public enum KeyForm {
    /** A PEM file named by {@code keyfile}, the default. */
    PEM("pem"),
    /** An OpenSSL engine ({@code tls_engine}) holds the key. */
    ENGINE("engine");

    private final String configName;

    KeyForm(String configName) {
        this.configName = configName;
    }

    /** The spelling in mosquitto.conf. */
    public String configName() {
        return configName;
    }
}
