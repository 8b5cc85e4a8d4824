package io.starling.broker.transport;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The certificate-based TLS options of one listener, as mosquitto names them. Files are read when
 * the listener starts ({@link TlsContexts#build}); this record only holds and checks the choices.
 *
 * @param certfile the server certificate (PEM), optionally followed by its intermediate CAs
 * @param keyfile the server's private key (PEM: PKCS#8, PKCS#1 {@code RSA PRIVATE KEY} or SEC1
 *     {@code EC PRIVATE KEY}), not encrypted
 * @param cafile PEM CA certificates trusted for client certificates, or null
 * @param capath a directory of PEM CA certificates ({@code *.pem}, {@code *.crt} and the hash links
 *     {@code openssl rehash} makes), or null
 * @param tlsVersion the lowest TLS version accepted; null means {@link TlsVersion#DEFAULT}
 * @param ciphers an OpenSSL cipher list for TLS 1.2 and older ({@code ciphers}), or null for the
 *     provider's secure defaults
 * @param ciphersTls13 the TLS 1.3 cipher suites, colon separated ({@code ciphers_tls1.3}), or null
 * @param requireCertificate clients must present a certificate signed by a trusted CA; without it no
 *     client certificate is asked for
 * @param useIdentityAsUsername the client certificate's CN replaces the CONNECT's user name
 * @param useSubjectAsUsername the certificate's whole subject (RFC 2253, as OpenSSL prints it)
 *     replaces the user name; {@code useIdentityAsUsername} wins when both are set
 */
public record TlsSettings(Path certfile, Path keyfile, Path cafile, Path capath, TlsVersion tlsVersion,
                          String ciphers, String ciphersTls13, boolean requireCertificate,
                          boolean useIdentityAsUsername, boolean useSubjectAsUsername) {

    public TlsSettings {
        if (certfile == null || keyfile == null) {
            throw new IllegalArgumentException("Both certfile and keyfile must be provided if one of them is set.");
        }
        tlsVersion = Objects.requireNonNullElse(tlsVersion, TlsVersion.DEFAULT);
        if (ciphers != null && ciphers.isBlank()) {
            throw new IllegalArgumentException("ciphers must not be empty");
        }
        if (ciphersTls13 != null && ciphersTls13.isBlank()) {
            throw new IllegalArgumentException("ciphers_tls1.3 must not be empty");
        }
        if (requireCertificate && cafile == null && capath == null) {
            // Mosquitto starts such a listener, but then refuses every client certificate.
            throw new IllegalArgumentException("require_certificate needs cafile or capath to verify client certificates");
        }
    }

    /** A server-authenticated listener with mosquitto's defaults for everything else. */
    public static TlsSettings of(Path certfile, Path keyfile) {
        return new TlsSettings(certfile, keyfile, null, null, null, null, null, false, false, false);
    }

    /** Where the user name of a client on this listener comes from. */
    public CertificateUsername certificateUsername() {
        if (useIdentityAsUsername) {
            return CertificateUsername.COMMON_NAME;
        }
        return useSubjectAsUsername ? CertificateUsername.SUBJECT : CertificateUsername.NONE;
    }

    public TlsSettings withCafile(Path file) {
        return new TlsSettings(certfile, keyfile, file, capath, tlsVersion, ciphers, ciphersTls13, requireCertificate,
                useIdentityAsUsername, useSubjectAsUsername);
    }

    public TlsSettings withCapath(Path directory) {
        return new TlsSettings(certfile, keyfile, cafile, directory, tlsVersion, ciphers, ciphersTls13,
                requireCertificate, useIdentityAsUsername, useSubjectAsUsername);
    }

    public TlsSettings withTlsVersion(TlsVersion version) {
        return new TlsSettings(certfile, keyfile, cafile, capath, version, ciphers, ciphersTls13, requireCertificate,
                useIdentityAsUsername, useSubjectAsUsername);
    }

    public TlsSettings withCiphers(String cipherList) {
        return new TlsSettings(certfile, keyfile, cafile, capath, tlsVersion, cipherList, ciphersTls13,
                requireCertificate, useIdentityAsUsername, useSubjectAsUsername);
    }

    public TlsSettings withCiphersTls13(String suites) {
        return new TlsSettings(certfile, keyfile, cafile, capath, tlsVersion, ciphers, suites, requireCertificate,
                useIdentityAsUsername, useSubjectAsUsername);
    }

    /** Needs {@link #withCafile} or {@link #withCapath} first, as a required certificate must be checkable. */
    public TlsSettings withRequireCertificate(boolean require) {
        return new TlsSettings(certfile, keyfile, cafile, capath, tlsVersion, ciphers, ciphersTls13, require,
                useIdentityAsUsername, useSubjectAsUsername);
    }

    public TlsSettings withUseIdentityAsUsername(boolean use) {
        return new TlsSettings(certfile, keyfile, cafile, capath, tlsVersion, ciphers, ciphersTls13, requireCertificate,
                use, useSubjectAsUsername);
    }

    public TlsSettings withUseSubjectAsUsername(boolean use) {
        return new TlsSettings(certfile, keyfile, cafile, capath, tlsVersion, ciphers, ciphersTls13, requireCertificate,
                useIdentityAsUsername, use);
    }
}
