package io.starling.broker.server.tls;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.mqtt.tools.PubCommand;
import io.starling.mqtt.tools.SubCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** starling pub and starling sub over TLS to Starling: --cafile, and --cert/--key for a listener that asks for one. */
@Timeout(60)
class StarlingPubSubTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki stranger;
    static Broker broker;
    static int tlsPort;
    static int mutualPort;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir, "cli");
        stranger = new TestPki(dir, "cli-stranger");
        tlsPort = freePort();
        mutualPort = freePort();
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "per_listener_settings false\nallow_anonymous true\n"
                + "listener " + tlsPort + " 127.0.0.1\ncertfile " + pki.serverCert + "\nkeyfile " + pki.serverKey + "\n"
                + "listener " + mutualPort + " 127.0.0.1\ncertfile " + pki.serverCert + "\nkeyfile " + pki.serverKey
                + "\ncafile " + pki.ca + "\nrequire_certificate true\n");
        broker = Broker.start(ConfigFile.read(conf));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }


    private record Run(int status, String out, String err) {
    }

    private static Run pub(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new PubCommand(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(List.of(args));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs starling sub until it has subscribed, publishes with {@code publish}, and returns the sub's run. */
    private static Run subscribeThenPublish(List<String> subArgs, Runnable publish) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch subscribed = new CountDownLatch(1);
        SubCommand sub = new SubCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).onSubscribed(subscribed::countDown);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> sub.run(subArgs));
        assertThat(subscribed.await(20, TimeUnit.SECONDS)).as("subscribed; err: %s", err).isTrue();
        publish.run();
        int code = status.get(20, TimeUnit.SECONDS);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<String> args(String... a) {
        return new ArrayList<>(List.of(a));
    }

    @Test
    void pubAndSub_withCafile_talkOverTls() throws Exception {
        String port = String.valueOf(tlsPort);
        Run sub = subscribeThenPublish(args("-h", "localhost", "-p", port, "--cafile", pki.ca.toString(), "-t", "tls/cli",
                "-C", "1", "-v"), () -> {
                    Run pub = pub("-h", "localhost", "-p", port, "--cafile", pki.ca.toString(), "-t", "tls/cli", "-m", "secret");
                    assertThat(pub.status()).as(pub.err()).isZero();
                });
        assertThat(sub.status()).as(sub.err()).isZero();
        assertThat(sub.out()).isEqualTo("tls/cli secret\n");
    }

    @Test
    void pubTrustingAnotherCa_failsWithAnErrorAndStatus1() {
        Run pub = pub("-h", "localhost", "-p", String.valueOf(tlsPort), "--cafile", stranger.ca.toString(), "-t", "x",
                "-m", "never");
        assertThat(pub.status()).isNotZero();
        assertThat(pub.err()).isNotBlank();
    }

    @Test
    void pubAndSub_withAClientCertificate_passRequireCertificate() throws Exception {
        String port = String.valueOf(mutualPort);
        List<String> tls = List.of("--cafile", pki.ca.toString(), "--cert", pki.clientCert.toString(),
                "--key", pki.clientKey.toString());
        List<String> subArgs = args("-h", "localhost", "-p", port, "-t", "mtls/cli", "-C", "1");
        subArgs.addAll(tls);
        Run sub = subscribeThenPublish(subArgs, () -> {
            List<String> pubArgs = args("-h", "localhost", "-p", port, "-t", "mtls/cli", "-m", "with cert");
            pubArgs.addAll(tls);
            Run pub = pub(pubArgs.toArray(String[]::new));
            assertThat(pub.status()).as(pub.err()).isZero();
        });
        assertThat(sub.status()).as(sub.err()).isZero();
        assertThat(sub.out()).isEqualTo("with cert\n");
        Run withoutCert = pub("-h", "localhost", "-p", port, "--cafile", pki.ca.toString(), "-t", "x", "-m", "refused");
        assertThat(withoutCert.status()).isNotZero();
    }
}
