package io.starling.broker.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.transport.TlsSettings;
import io.starling.broker.transport.TlsVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls_version} (the lowest version, mosquitto 2 semantics) and {@code ciphers} (an OpenSSL list
 * for TLS 1.2 and older), seen from a client that offers only some versions or suites.
 */
@Timeout(30)
class TlsVersionAndCiphersTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    @TempDir
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void makePki() {
        pki = new TestPki(dir, "versions");
    }

    private static TlsSettings settings() {
        return TlsSettings.of(pki.serverCert, pki.serverKey);
    }

    private static SSLContext client() {
        return pki.clientContext(false, "TLS");
    }

    @Test
    void byDefault_tls12AndTls13ClientsAreServed() throws Exception {
        try (TlsBroker broker = TlsBroker.start(settings())) {
            assertThat(TlsClients.connectWith(broker, client(), List.of("TLSv1.2"))).isEqualTo("TLSv1.2");
            assertThat(TlsClients.connectWith(broker, client(), List.of("TLSv1.3"))).isEqualTo("TLSv1.3");
            assertThat(TlsClients.connectWith(broker, client(), List.of("TLSv1.3", "TLSv1.2"))).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void tlsv13Listener_refusesATls12OnlyClient() throws Exception {
        try (TlsBroker broker = TlsBroker.start(settings().withTlsVersion(TlsVersion.TLS_1_3))) {
            assertThatThrownBy(() -> TlsClients.connectWith(broker, client(), List.of("TLSv1.2")))
                    .isInstanceOf(SSLHandshakeException.class);
            assertThat(TlsClients.connectWith(broker, client(), List.of("TLSv1.3"))).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void tlsv13Listener_refusesOpensslSClientLimitedToTls12() throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "openssl not installed");
        try (TlsBroker broker = TlsBroker.start(settings().withTlsVersion(TlsVersion.TLS_1_3))) {
            assertThat(sClient(broker, "-tls1_2")).as("openssl s_client -tls1_2 exit code").isNotZero();
            assertThat(sClient(broker, "-tls1_3")).as("openssl s_client -tls1_3 exit code").isZero();
        }
    }

    /** Runs {@code openssl s_client} (handshake, then end of input) and returns its exit code. */
    private static int sClient(TlsBroker broker, String versionOption) throws Exception {
        Process p = new ProcessBuilder(OPENSSL.toString(), "s_client", "-connect", "127.0.0.1:" + broker.port(),
                versionOption, "-CAfile", pki.ca.toString(), "-verify_return_error", "-brief")
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(TlsClients.TIMEOUT_SECONDS * 2L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl s_client did not end");
        }
        return p.exitValue();
    }

    @Test
    void tlsv12Listener_refusesATls11Client() throws Exception {
        try (TlsBroker broker = TlsBroker.start(settings().withTlsVersion(TlsVersion.TLS_1_2))) {
            // The JDK client has TLS 1.1 disabled too, so it cannot even offer it: either way no session.
            assertThatThrownBy(() -> TlsClients.connectWith(broker, client(), List.of("TLSv1.1")))
                    .isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    @Test
    void ciphers_theListedSuiteIsNegotiated_andOthersAreRefused() throws Exception {
        String chosen = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        String other = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        try (TlsBroker broker = TlsBroker.start(settings().withCiphers("ECDHE-ECDSA-AES128-GCM-SHA256"))) {
            assertThat(negotiatedSuite(broker, chosen, other)).isEqualTo(chosen);
            assertThatThrownBy(() -> negotiatedSuite(broker, other)).isInstanceOf(SSLHandshakeException.class);
            // TLS 1.3 is not restricted by ciphers, as in mosquitto.
            assertThat(TlsClients.connectWith(broker, client(), List.of("TLSv1.3"))).isEqualTo("TLSv1.3");
        }
    }

    /** A TLS 1.2 handshake offering only the given suites; returns the one the server picked. */
    private static String negotiatedSuite(TlsBroker broker, String... suites) throws Exception {
        try (SSLSocket socket = (SSLSocket) client().getSocketFactory().createSocket("127.0.0.1", broker.port())) {
            socket.setSoTimeout(TlsClients.TIMEOUT_SECONDS * 1000);
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(suites);
            socket.startHandshake();
            return socket.getSession().getCipherSuite();
        }
    }
}
