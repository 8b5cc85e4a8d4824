package io.starling.broker.server;

import io.starling.broker.config.TlsConfig;
import io.starling.broker.transport.TlsSettings;
import io.starling.broker.transport.TlsVersion;

/** Maps a listener's TLS options from the config to the transport's settings. */
final class TlsListeners {
    private TlsListeners() {
    }

    /**
     * The transport's TLS settings, or null for a plain listener (no certificate configured).
     *
     * @throws IllegalArgumentException for TLS options Starling cannot honour yet (PSK, CRLs): such a
     *         listener must not open as plain TCP or accept revoked certificates
     */
    static TlsSettings settingsOf(TlsConfig tls) {
        if (tls != null && tls.usesPsk()) {
            throw new IllegalArgumentException("psk_hint/psk_file (TLS-PSK) listeners are not supported yet.");
        }
        if (tls != null && tls.crlfile() != null) {
            throw new IllegalArgumentException("crlfile is not supported yet; refusing to start rather than "
                    + "accept revoked client certificates.");
        }
        if (tls == null || !tls.usesCertificates()) {
            return null;
        }
        return new TlsSettings(tls.certfile(), tls.keyfile(), tls.cafile(), tls.capath(),
                TlsVersion.parse(tls.minimumVersion().configName()), tls.ciphers(), tls.ciphersTls13(),
                tls.requireCertificate(), tls.useIdentityAsUsername(), tls.useSubjectAsUsername());
    }
}
