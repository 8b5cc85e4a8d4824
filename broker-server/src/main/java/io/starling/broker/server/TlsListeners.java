package io.starling.broker.server;

import io.starling.broker.config.TlsConfig;
import io.starling.broker.transport.TlsSettings;
import io.starling.broker.transport.TlsVersion;

/** Maps a listener's TLS options from the config to the transport's settings. */
final class TlsListeners {
    private TlsListeners() {
    }

    /** The transport's TLS settings, or null for a plain listener (no certificate configured). */
    static TlsSettings settingsOf(TlsConfig tls) {
        if (tls == null || !tls.usesCertificates()) {
            return null;
        }
        return new TlsSettings(tls.certfile(), tls.keyfile(), tls.cafile(), tls.capath(),
                TlsVersion.parse(tls.minimumVersion().configName()), tls.ciphers(), tls.ciphersTls13(),
                tls.requireCertificate(), tls.useIdentityAsUsername(), tls.useSubjectAsUsername());
    }
}
