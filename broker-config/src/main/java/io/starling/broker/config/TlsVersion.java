package io.starling.broker.config;

/** The lowest TLS version a listener accepts ({@code tls_version}; mosquitto 2.0 treats it as a minimum). */
public enum TlsVersion {
    TLS_1_1("tlsv1.1", "TLSv1.1"),
    TLS_1_2("tlsv1.2", "TLSv1.2"),
    TLS_1_3("tlsv1.3", "TLSv1.3");

    private final String configName;
    private final String jdkName;

    TlsVersion(String configName, String jdkName) {
        this.configName = configName;
        this.jdkName = jdkName;
    }

    /** The spelling in mosquitto.conf. */
    public String configName() {
        return configName;
    }

    /** The protocol name the JDK's and Netty's {@code SSLEngine} use. */
    public String jdkName() {
        return jdkName;
    }
}
