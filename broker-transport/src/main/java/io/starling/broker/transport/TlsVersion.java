package io.starling.broker.transport;

import java.util.List;

/**
 * The lowest TLS version a listener accepts: mosquitto's {@code tls_version}. Since mosquitto 2.0 it
 * is a minimum ({@code tlsv1.2} accepts 1.2 and 1.3), no longer the only version allowed.
 */
public enum TlsVersion {
    TLS_1_1("tlsv1.1", List.of("TLSv1.3", "TLSv1.2", "TLSv1.1")),
    TLS_1_2("tlsv1.2", List.of("TLSv1.3", "TLSv1.2")),
    TLS_1_3("tlsv1.3", List.of("TLSv1.3"));

    /** Mosquitto's default when {@code tls_version} is not set: TLS 1.2 and 1.3. */
    public static final TlsVersion DEFAULT = TLS_1_2;

    private final String mosquittoName;
    private final List<String> protocols;

    TlsVersion(String mosquittoName, List<String> protocols) {
        this.mosquittoName = mosquittoName;
        this.protocols = protocols;
    }

    /**
     * The version a {@code tls_version} value names ({@code tlsv1.3}, {@code tlsv1.2} or
     * {@code tlsv1.1}).
     *
     * @throws IllegalArgumentException for any other value, as mosquitto refuses it
     */
    public static TlsVersion parse(String value) {
        for (TlsVersion v : values()) {
            if (v.mosquittoName.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("Unsupported tls_version \"" + value + "\" (tlsv1.3, tlsv1.2 or tlsv1.1)");
    }

    public String mosquittoName() {
        return mosquittoName;
    }

    /**
     * The JSSE protocol names of this version and every newer one. The JDK's provider disables
     * TLS 1.1 in its {@code java.security} file, so there {@link #TLS_1_1} allows only 1.2 and 1.3.
     */
    public List<String> protocols() {
        return protocols;
    }
}
