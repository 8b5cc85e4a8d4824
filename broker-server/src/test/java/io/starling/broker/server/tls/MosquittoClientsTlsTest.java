package io.starling.broker.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.testkit.MosquittoClients;
import io.starling.broker.transport.TlsSettings;
import io.starling.broker.transport.TlsVersion;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mosquitto's own clients over TLS, as scripts in the field run them: {@code --cafile} for the
 * server, {@code --cert}/{@code --key} for mutual TLS, {@code --tls-version}.
 */
@Timeout(60)
class MosquittoClientsTlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki stranger;
    static TlsBroker broker;
    static TlsBroker mutual;

    @BeforeAll
    static void start() throws InterruptedException {
        assumeTrue(MosquittoClients.installed(), "mosquitto_pub/mosquitto_sub not installed");
        pki = new TestPki(dir, "mosquitto");
        stranger = new TestPki(dir, "stranger");
        broker = TlsBroker.start(TlsSettings.of(pki.serverCert, pki.serverKey));
        mutual = TlsBroker.start(TlsSettings.of(pki.serverCert, pki.serverKey).withCafile(pki.ca)
                .withRequireCertificate(true));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (mutual != null) {
            mutual.close();
        }
    }

    @Test
    void mosquittoSubAndPubWithCafile_exchangeAMessageOverTls() {
        try (MosquittoClients.Sub sub = MosquittoClients.sub(broker.port(), "--cafile", pki.ca.toString(),
                "-t", "tls/tools", "-q", "1", "-C", "1", "-v", "-W", "10")) {
            sub.awaitSubscribed(TIMEOUT);

            MosquittoClients.Result pub = MosquittoClients.pub(broker.port(), TIMEOUT, "--cafile", pki.ca.toString(),
                    "-t", "tls/tools", "-m", "x", "-q", "1");

            assertThat(pub.exitCode()).as("mosquitto_pub; stderr: %s", pub.stderr()).isZero();
            MosquittoClients.Result received = sub.awaitExit(TIMEOUT);
            assertThat(received.exitCode()).as("mosquitto_sub; stderr: %s", received.stderr()).isZero();
            assertThat(received.stdout()).containsExactly("tls/tools x");
        }
    }

    @Test
    void mosquittoPubTrustingAnotherCa_fails() {
        MosquittoClients.Result pub = MosquittoClients.pub(broker.port(), TIMEOUT, "--cafile", stranger.ca.toString(),
                "-t", "tls/tools", "-m", "x");

        assertThat(pub.exitCode()).isNotZero();
    }

    @Test
    void mosquittoPubWithTlsVersion13_isServedByATlsv13Listener() throws InterruptedException {
        // mosquitto_pub's --tls-version is a minimum as well (tlsv1.2 would still offer 1.3), so the
        // TLS 1.2-only client of the version tests is the JDK's and openssl s_client.
        try (TlsBroker tls13 = TlsBroker.start(TlsSettings.of(pki.serverCert, pki.serverKey)
                .withTlsVersion(TlsVersion.TLS_1_3))) {
            MosquittoClients.Result pub = MosquittoClients.pub(tls13.port(), TIMEOUT, "--cafile", pki.ca.toString(),
                    "--tls-version", "tlsv1.3", "-t", "tls/tools", "-m", "x");

            assertThat(pub.exitCode()).as("stderr: %s", pub.stderr()).isZero();
        }
    }

    @Test
    void mutualTls_mosquittoPubWithItsCertificate_succeeds() {
        MosquittoClients.Result pub = MosquittoClients.pub(mutual.port(), TIMEOUT, "--cafile", pki.ca.toString(),
                "--cert", pki.clientCert.toString(), "--key", pki.clientKey.toString(), "-t", "tls/mutual", "-m", "x");

        assertThat(pub.exitCode()).as("stderr: %s", pub.stderr()).isZero();
    }

    @Test
    void mutualTls_mosquittoPubWithoutCertificate_fails() {
        MosquittoClients.Result pub = MosquittoClients.pub(mutual.port(), TIMEOUT, "--cafile", pki.ca.toString(),
                "-t", "tls/mutual", "-m", "x");

        assertThat(pub.exitCode()).isNotZero();
    }
}
