package io.starling.broker.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The TLS options of one listener. A listener uses certificate based TLS when it has a
 * {@code certfile} and a {@code keyfile} (the reader refuses one without the other), pre-shared-key TLS
 * when it has a {@code psk_hint} (never both), and no TLS otherwise ({@link #NONE}). Paths are as
 * written in the file; mosquitto resolves relative ones against its working directory.
 *
 * @param cafile                trusted CAs for client certificates, or null
 * @param capath                a directory of trusted CAs, or null
 * @param certfile              the server certificate (PEM), or null
 * @param keyfile               the server key (PEM, or an engine key id with {@link KeyForm#ENGINE}), or null
 * @param minimumVersion        {@code tls_version}; mosquitto 2's default allows TLS 1.2 and 1.3
 * @param ciphers               OpenSSL cipher list for TLS 1.2 and earlier, or null for the default
 * @param ciphersTls13          TLS 1.3 cipher suites, or null for the default
 * @param requireCertificate    clients must present a certificate signed by {@code cafile}/{@code capath}
 * @param useIdentityAsUsername the certificate CN (or the PSK identity) becomes the username
 * @param useSubjectAsUsername  the whole certificate subject becomes the username
 * @param crlfile               a PEM revocation list, or null
 * @param dhparamfile           DH parameters for ephemeral DH key exchange, or null
 * @param tlsEngine             an OpenSSL engine id, or null
 * @param keyForm               {@code tls_keyform}
 * @param pskHint               {@code psk_hint}: turns on PSK TLS for this listener; null when off
 */
public record TlsConfig(Path cafile, Path capath, Path certfile, Path keyfile, TlsVersion minimumVersion,
                        String ciphers, String ciphersTls13, boolean requireCertificate,
                        boolean useIdentityAsUsername, boolean useSubjectAsUsername, Path crlfile,
                        Path dhparamfile, String tlsEngine, KeyForm keyForm, String pskHint) {
    /** A listener without TLS. */
    public static final TlsConfig NONE = new TlsConfig(null, null, null, null, TlsVersion.TLS_1_2, null, null,
            false, false, false, null, null, null, KeyForm.PEM, null);

    public TlsConfig {
        Objects.requireNonNull(minimumVersion, "minimumVersion");
        Objects.requireNonNull(keyForm, "keyForm");
        if ((certfile == null) != (keyfile == null)) {
            throw new IllegalArgumentException("certfile and keyfile go together");
        }
        if (pskHint != null && certfile != null) {
            throw new IllegalArgumentException("a listener uses either certificate or PSK based TLS");
        }
    }

    /** Whether the listener speaks TLS at all. */
    public boolean enabled() {
        return usesCertificates() || usesPsk();
    }

    /** Certificate based TLS ({@code certfile} and {@code keyfile}). */
    public boolean usesCertificates() {
        return certfile != null;
    }

    /** Pre-shared-key TLS ({@code psk_hint}). */
    public boolean usesPsk() {
        return pskHint != null;
    }
}
