package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user names {@code use_identity_as_username} and {@code use_subject_as_username} take from a
 * certificate. The subject must read exactly as OpenSSL prints it for mosquitto (so ACL entries keep
 * matching): {@code openssl x509 -nameopt RFC2253} is the oracle.
 */
class TlsCertificateUsernameTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;
    private static int serial;

    @BeforeAll
    static void makePki() throws IOException {
        assumeTrue(OpensslPki.installed(), "openssl not installed");
        pki = new OpensslPki(dir);
    }

    private static X509Certificate load(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static Path certificateFor(String subject) throws IOException {
        String name = "subject" + (++serial);
        return pki.issue(name, dir.resolve(name + ".key"), subject, null);
    }

    @Test
    void mosquittoDocumentationExample_readsAsDocumented() throws Exception {
        Path cert = certificateFor("/C=GB/ST=Nottinghamshire/L=Nottingham/O=Server/OU=Production/CN=test client");

        assertThat(CertificateUsername.SUBJECT.of(load(cert)))
                .isEqualTo("CN=test client,OU=Production,O=Server,L=Nottingham,ST=Nottinghamshire,C=GB");
        assertThat(CertificateUsername.COMMON_NAME.of(load(cert))).isEqualTo("test client");
        assertThat(CertificateUsername.NONE.of(load(cert))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/C=GB/O=Starling/CN=test client",
            "/CN=J\u00fcrgen Str\u00f6m/O=Z\u00fcrich \u6771\u4eac",
            "/emailAddress=dev@example.com/CN=mail user",
            "/O=a\\,b\\+c;d<e>f\"g\\\\h/OU=#hash/CN= padded ",
            "/DC=org/DC=example/UID=u123/CN=uid user",
            "/CN=multi+UID=valued/O=RDN",
            "/serialNumber=42/GN=Given/SN=Surname/title=Dr/CN=attributes"})
    void subject_readsAsOpensslPrintsIt(String subject) throws Exception {
        Path cert = certificateFor(subject);

        assertThat(CertificateUsername.SUBJECT.of(load(cert))).isEqualTo(pki.subjectRfc2253(cert));
    }

    @Test
    void commonName_isTheFirstCnAsItStands() throws Exception {
        Path cert = certificateFor("/O=Org/CN=first/CN=second");

        assertThat(CertificateUsername.COMMON_NAME.of(load(cert))).isEqualTo("first");
    }

    @Test
    void certificateWithoutCn_givesNoIdentity() throws Exception {
        Path cert = certificateFor("/O=Only an organisation");

        assertThat(CertificateUsername.COMMON_NAME.of(load(cert))).isNull();
        assertThat(CertificateUsername.SUBJECT.of(load(cert))).isEqualTo("O=Only an organisation");
    }
}
