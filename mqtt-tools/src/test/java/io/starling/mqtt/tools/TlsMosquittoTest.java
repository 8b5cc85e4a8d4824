package io.starling.mqtt.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cafile}, {@code --capath}, {@code --cert}/{@code --key} and {@code --insecure} against
 * mosquitto's TLS listeners, with certificates made in the test. Skipped where mosquitto is not installed.
 */
@Timeout(60)
class TlsMosquittoTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static TestCertificates pki;
    private static Mosquitto broker;
    private static int tlsPort;
    private static int otherNamePort;
    private static int clientCertPort;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Mosquitto.installed(), "mosquitto is not installed");
        pki = new TestCertificates(dir);
        tlsPort = Mosquitto.freePort();
        otherNamePort = Mosquitto.freePort();
        clientCertPort = Mosquitto.freePort();
        broker = Mosquitto.start(dir, "listener " + tlsPort + " 127.0.0.1\ncafile " + pki.ca + "\ncertfile "
                + pki.serverCert + "\nkeyfile " + pki.serverKey + "\n"
                + "listener " + otherNamePort + " 127.0.0.1\ncafile " + pki.ca + "\ncertfile " + pki.otherNameCert
                + "\nkeyfile " + pki.otherNameKey + "\n"
                + "listener " + clientCertPort + " 127.0.0.1\ncafile " + pki.ca + "\ncertfile " + pki.serverCert
                + "\nkeyfile " + pki.serverKey + "\nrequire_certificate true\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static void roundTrip(int port, String... tls) {
        String topic = "tls/" + port + "/" + System.nanoTime();
        List<String> subArgs = new java.util.ArrayList<>(List.of("-h", "localhost", "-p", Integer.toString(port), "-t",
                topic, "-C", "1", "-v"));
        subArgs.addAll(List.of(tls));
        ClientRun.RunningSub sub = ClientRun.startSub(subArgs.toArray(String[]::new));
        sub.awaitSubscribed(WAIT);
        List<String> pubArgs = new java.util.ArrayList<>(List.of("-h", "localhost", "-p", Integer.toString(port), "-t",
                topic, "-m", "secret", "-q", "1"));
        pubArgs.addAll(List.of(tls));
        ClientRun pub = ClientRun.pub(pubArgs.toArray(String[]::new));
        assertThat(pub.status()).as(pub.err()).isZero();
        assertThat(sub.awaitExit(WAIT).outText()).isEqualTo(topic + " secret\n");
    }

    @Test
    void cafile_connectsToATlsListener() {
        roundTrip(tlsPort, "--cafile", pki.ca.toString());
    }

    @Test
    void capath_trustsEveryCertificateInTheDirectory() throws Exception {
        Path capath = Files.createDirectories(dir.resolve("capath"));
        Files.copy(pki.ca, capath.resolve("test-ca.crt"));
        Files.writeString(capath.resolve("README"), "not a certificate");
        roundTrip(tlsPort, "--capath", capath.toString());
    }

    @Test
    void clientCertificate_inSec1Form_isAccepted_whereTheBrokerRequiresOne() {
        roundTrip(clientCertPort, "--cafile", pki.ca.toString(), "--cert", pki.clientCert.toString(), "--key",
                pki.clientKey.toString());
    }

    @Test
    void missingClientCertificate_isATlsError() {
        ClientRun r = ClientRun.pub("-h", "localhost", "-p", Integer.toString(clientCertPort), "--cafile",
                pki.ca.toString(), "-t", "x", "-m", "y");
        assertThat(r.status()).isNotZero();
    }

    @Test
    void serverCertificateForAnotherName_isRefused_unlessInsecure() {
        ClientRun refused = ClientRun.pub("-h", "localhost", "-p", Integer.toString(otherNamePort), "--cafile",
                pki.ca.toString(), "-t", "x", "-m", "y");
        assertThat(refused.status()).isEqualTo(8);
        assertThat(refused.err()).isEqualTo("Error: A TLS error occurred.\n");
        Mosquitto.Result mosquitto = Mosquitto.tool(Mosquitto.PUB, List.of("-h", "localhost", "-p",
                Integer.toString(otherNamePort)), new byte[0], "--cafile", pki.ca.toString(), "-t", "x", "-m", "y")
                .awaitExit(WAIT);
        assertThat(mosquitto.status()).isNotZero();
        roundTrip(otherNamePort, "--cafile", pki.ca.toString(), "--insecure");
    }

    @Test
    void untrustedServer_isRefused_evenWhenInsecure() {
        ClientRun r = ClientRun.pub("-h", "localhost", "-p", Integer.toString(tlsPort), "--cafile",
                pki.clientCert.toString(), "--insecure", "-t", "x", "-m", "y");
        assertThat(r.status()).isEqualTo(8);
    }

    @Test
    void missingCaFile_isRefusedBeforeConnecting() {
        ClientRun r = ClientRun.pub("-p", Integer.toString(tlsPort), "--cafile", dir.resolve("none.pem").toString(),
                "-t", "x", "-m", "y");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: Problem setting TLS options: File not found.\n");
    }

    @Test
    void tlsVersionNames_mapToTheJdks() throws Exception {
        assertThat(ClientTls.protocol("tlsv1.3")).isEqualTo("TLSv1.3");
        assertThat(ClientTls.protocol("tlsv1.2")).isEqualTo("TLSv1.2");
        assertThat(ClientTls.protocol("tlsv1.1")).isEqualTo("TLSv1.1");
        assertThatThrownBy(() -> ClientTls.protocol("sslv3")).isInstanceOf(ClientTls.Unusable.class);
        roundTrip(tlsPort, "--cafile", pki.ca.toString(), "--tls-version", "tlsv1.2");
    }
}
