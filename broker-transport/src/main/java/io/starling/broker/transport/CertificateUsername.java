package io.starling.broker.transport;

import java.security.cert.X509Certificate;

/**
 * Where the user name of a client on a TLS listener comes from: the CONNECT, as usual, or the
 * client's certificate (mosquitto's {@code use_identity_as_username} and
 * {@code use_subject_as_username}). With a certificate name the CONNECT's user name and password
 * are ignored and no password check is made: the certificate is the credential.
 */
public enum CertificateUsername {
    /** The CONNECT's user name, checked against the password file as usual. */
    NONE,
    /** The first common name (CN) of the certificate's subject. */
    COMMON_NAME,
    /** The whole subject, as OpenSSL prints it in RFC 2253 form: {@code CN=client,O=Example,C=GB}. */
    SUBJECT;

    /**
     * The user name the certificate gives, or null when it gives none: no CN, or a CN holding a NUL
     * character (which mosquitto refuses).
     */
    String of(X509Certificate certificate) {
        switch (this) {
            case COMMON_NAME: {
                String cn = DistinguishedNames.commonName(certificate.getSubjectX500Principal());
                return cn == null || cn.indexOf('\0') >= 0 ? null : cn;
            }
            case SUBJECT:
                return DistinguishedNames.rfc2253(certificate.getSubjectX500Principal());
            default:
                return null;
        }
    }
}
