package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Building a listener's TLS context from files as {@code openssl} writes them, with both providers,
 * and the start-up errors for files that cannot be used.
 */
class TlsContextsTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;

    @BeforeAll
    static void makePki() throws IOException {
        assumeTrue(OpensslPki.installed(), "openssl not installed");
        pki = new OpensslPki(dir);
    }

    static Stream<SslProvider> providers() {
        return OpenSsl.isAvailable() ? Stream.of(SslProvider.JDK, SslProvider.OPENSSL) : Stream.of(SslProvider.JDK);
    }

    private static List<String> enabled(TlsSettings settings, SslProvider provider, boolean protocols) {
        SslContext context = TlsContexts.build(settings, provider);
        try {
            SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
            try {
                return protocols // OpenSSL's engine also lists the SSLv2Hello pseudo-protocol
                        ? Stream.of(engine.getEnabledProtocols()).filter(p -> !p.equals("SSLv2Hello")).toList()
                        : List.of(engine.getEnabledCipherSuites());
            } finally {
                ReferenceCountUtil.release(engine);
            }
        } finally {
            ReferenceCountUtil.release(context);
        }
    }

    private static void assertBuilds(TlsSettings settings, SslProvider provider) {
        SslContext context = TlsContexts.build(settings, provider);
        assertThat(context.isServer()).isTrue();
        ReferenceCountUtil.release(context);
    }

    @Test
    void openSslIsTheProviderOnThisPlatform_whenTcnativeLoads() {
        assumeTrue(OpenSsl.isAvailable(), "netty-tcnative does not load here: " + OpenSsl.unavailabilityCause());
        assertThat(TlsContexts.providerFor(TlsSettings.of(pki.serverCert, pki.serverKey))).isEqualTo(SslProvider.OPENSSL);
    }

    @Test
    void ciphersTls13_selectTheJdkProvider_asBoringSslFixesTls13Suites() {
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey).withCiphersTls13("TLS_AES_256_GCM_SHA384");

        assertThat(TlsContexts.providerFor(settings)).isEqualTo(SslProvider.JDK);
        assertThat(enabled(settings, SslProvider.JDK, false)).contains("TLS_AES_256_GCM_SHA384")
                .doesNotContain("TLS_AES_128_GCM_SHA256");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void pkcs8RsaKey_buildsAServerContext(SslProvider provider) {
        assertBuilds(TlsSettings.of(pki.serverCert, pki.serverKey), provider);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void pkcs1RsaKey_buildsAServerContext(SslProvider provider) throws IOException {
        Path pkcs1 = dir.resolve("server-pkcs1-" + provider + ".key");
        pki.run("rsa", "-in", pki.serverKey.toString(), "-out", pkcs1.toString(), "-traditional");
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        assertBuilds(TlsSettings.of(pki.serverCert, pkcs1), provider);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void sec1EcKeyAfterItsParametersBlock_buildsAServerContext(SslProvider provider) throws IOException {
        Path key = dir.resolve("ec-" + provider + ".key");
        pki.run("ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PARAMETERS-----").contains("BEGIN EC PRIVATE KEY");
        Path cert = pki.issueFor("ec-" + provider, key, "/CN=localhost");

        assertBuilds(TlsSettings.of(cert, key), provider);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void sec1EcKeyWithoutItsPublicPart_buildsAServerContext(SslProvider provider) throws IOException {
        Path full = dir.resolve("ec-full-" + provider + ".key");
        Path key = dir.resolve("ec-no-public-" + provider + ".key");
        pki.run("ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", full.toString());
        pki.run("ec", "-in", full.toString(), "-no_public", "-out", key.toString());
        Path cert = pki.issueFor("ec-no-public-" + provider, key, "/CN=localhost");

        assertBuilds(TlsSettings.of(cert, key), provider);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void keyAndCertificateInOneFile_buildsAServerContext(SslProvider provider) throws IOException {
        Path both = dir.resolve("both-" + provider + ".pem");
        Files.writeString(both, Files.readString(pki.serverKey) + Files.readString(pki.serverCert));

        assertBuilds(TlsSettings.of(both, both), provider);
    }

    @Test
    void missingKeyfile_failsNamingTheFile() {
        Path missing = dir.resolve("no-such.key");

        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(pki.serverCert, missing)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load server key file \"" + missing + "\": no such file. Check keyfile.")
                .satisfies(e -> assertThat(((TlsSetupException) e).file()).isEqualTo(missing));
    }

    @Test
    void unreadableKeyfile_failsNamingTheFile() throws IOException {
        Path locked = dir.resolve("locked.key");
        Files.copy(pki.serverKey, locked);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeTrue(!Files.isReadable(locked), "running as root: permissions do not stop reading");

        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(pki.serverCert, locked)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load server key file \"" + locked + "\": permission denied. Check keyfile.");
    }

    @Test
    void directoryAsKeyfile_failsNamingIt() {
        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(pki.serverCert, dir)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("Unable to load server key file \"" + dir + "\": ")
                .hasMessageEndingWith("Check keyfile.");
    }

    @Test
    void keyfileWithoutAKey_failsNamingIt() {
        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(pki.serverCert, pki.serverCert)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load server key file \"" + pki.serverCert
                        + "\": it holds no PEM private key. Check keyfile.");
    }

    @Test
    void corruptKey_failsNamingTheFile() throws IOException {
        Path corrupt = dir.resolve("corrupt.key");
        Files.writeString(corrupt, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(pki.serverCert, corrupt)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("Unable to load server key file \"" + corrupt + "\": ");
    }

    @Test
    void encryptedKey_failsSayingSo() throws IOException {
        Path encrypted = dir.resolve("encrypted.key");
        pki.run("pkey", "-in", pki.serverKey.toString(), "-aes256", "-passout", "pass:secret", "-out", encrypted.toString());

        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(pki.serverCert, encrypted)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining(encrypted.toString())
                .hasMessageContaining("encrypted");
    }

    @Test
    void keyOfAnotherCertificate_failsAsInconsistent() {
        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(pki.serverCert, pki.clientKey)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Server certificate \"" + pki.serverCert + "\" and key \"" + pki.clientKey
                        + "\" are inconsistent: the key is not the certificate's.");
    }

    @Test
    void missingCertfile_failsNamingTheFile() {
        Path missing = dir.resolve("no-such.pem");

        assertThatThrownBy(() -> TlsContexts.build(TlsSettings.of(missing, pki.serverKey)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load server certificate \"" + missing + "\": no such file. Check certfile.");
    }

    @Test
    void missingCafile_failsNamingTheFile() {
        Path missing = dir.resolve("no-such-ca.pem");
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey).withCafile(missing).withRequireCertificate(true);

        assertThatThrownBy(() -> TlsContexts.build(settings))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load CA certificates. Check cafile \"" + missing + "\": no such file.");
    }

    @Test
    void capathRehashedByOpenssl_providesTheClientCa() throws IOException {
        Path capath = Files.createDirectories(dir.resolve("capath"));
        Files.copy(pki.caCert, capath.resolve("test-ca.pem"));
        pki.run("rehash", capath.toString());

        assertThat(PemFiles.caCertificates(null, capath)).hasSize(1); // the .pem and its hash link, once
        assertBuilds(TlsSettings.of(pki.serverCert, pki.serverKey).withCapath(capath).withRequireCertificate(true),
                SslProvider.JDK);
    }

    @Test
    void emptyCapath_fails() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty-capath"));

        assertThatThrownBy(() -> PemFiles.caCertificates(null, empty))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load CA certificates. Check capath \"" + empty + "\": no PEM certificate in it.");
    }

    @Test
    void requireCertificateWithoutCa_isRefused() {
        assertThatThrownBy(() -> TlsSettings.of(pki.serverCert, pki.serverKey).withRequireCertificate(true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cafile or capath");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void tlsVersion_isTheLowestVersionEnabled(SslProvider provider) {
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey);

        assertThat(enabled(settings, provider, true)).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        assertThat(enabled(settings.withTlsVersion(TlsVersion.TLS_1_3), provider, true)).containsExactly("TLSv1.3");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void ciphers_restrictTls12Only_andKeepTheTls13Suites(SslProvider provider) {
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey).withCiphers("ECDHE-RSA-AES256-GCM-SHA384");

        assertThat(enabled(settings, provider, false))
                .contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")
                .doesNotContain("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void ciphersExpression_isExpandedByOpenssl(SslProvider provider) {
        assumeTrue(OpenSsl.isAvailable(), "expressions need netty-tcnative");
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey).withCiphers("ECDHE+AESGCM:!aNULL:!ECDSA");

        List<String> suites = enabled(settings, provider, false);

        assertThat(suites).contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
                .noneMatch(s -> s.contains("ECDSA") || s.contains("CBC") || s.startsWith("TLS_RSA_"));
    }

    @Test
    void ciphersSelectingNothing_fail() {
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey).withCiphers("NO-SUCH-CIPHER");

        assertThatThrownBy(() -> TlsContexts.build(settings))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("ciphers \"NO-SUCH-CIPHER\"");
    }

    @Test
    void tlsVersionNames_areMosquittos() {
        assertThat(TlsVersion.parse("tlsv1.3")).isEqualTo(TlsVersion.TLS_1_3);
        assertThat(TlsVersion.parse("tlsv1.2")).isEqualTo(TlsVersion.TLS_1_2);
        assertThat(TlsVersion.parse("tlsv1.1").protocols()).containsExactly("TLSv1.3", "TLSv1.2", "TLSv1.1");
        assertThatThrownBy(() -> TlsVersion.parse("tlsv1")).hasMessage("Unsupported tls_version \"tlsv1\" (tlsv1.3, tlsv1.2 or tlsv1.1)");
        assertThatThrownBy(() -> TlsVersion.parse("TLSv1.2")).isInstanceOf(IllegalArgumentException.class);
    }
}
