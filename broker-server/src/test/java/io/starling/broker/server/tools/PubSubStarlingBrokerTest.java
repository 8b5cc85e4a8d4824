package io.starling.broker.server.tools;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.Unpooled;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.MosquittoClients;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.tools.client.ClientOptions;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code starling pub}/{@code starling sub} and their client against the Starling broker, in-process:
 * they talk to mosquitto_pub and mosquitto_sub through it, {@code starling sub -F} prints what
 * mosquitto_sub prints for the same messages, and the client works over Starling's WebSocket listener.
 * The mosquitto tools' parts are skipped where they are not installed.
 */
@Timeout(60)
class PubSubStarlingBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    private static Broker broker;
    private static int port;
    private static int wsPort;

    @BeforeAll
    static void start() throws Exception {
        port = freePort();
        wsPort = freePort();
        Path conf = dir.resolve("starling.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + "listener " + wsPort + " 127.0.0.1\nprotocol websockets\n");
        broker = Broker.start(ConfigFile.read(conf));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }


    private static String p() {
        return Integer.toString(port);
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void starlingSub_receivesWhatMosquittoPubSends(int qos) throws Exception {
        assumeTrue(MosquittoClients.installed(), "mosquitto clients not installed");
        String q = Integer.toString(qos);
        StarlingRun.Sub sub = new StarlingRun.Sub("-p", p(), "-t", "sb/q" + q + "/#", "-q", q, "-C", "2", "-v");
        sub.awaitSubscribed(WAIT);
        assertThat(MosquittoClients.pub(port, WAIT, "-t", "sb/q" + q + "/a", "-m", "one", "-q", q).exitCode()).isZero();
        assertThat(MosquittoClients.pub(port, WAIT, "-t", "sb/q" + q + "/b", "-m", "two", "-q", q).exitCode()).isZero();
        StarlingRun r = sub.awaitExit(WAIT);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("sb/q" + q + "/a one\nsb/q" + q + "/b two\n");
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void starlingPub_reachesMosquittoSub(int qos) throws Exception {
        assumeTrue(MosquittoClients.installed(), "mosquitto clients not installed");
        String q = Integer.toString(qos);
        try (MosquittoClients.Sub sub = MosquittoClients.sub(port, "-t", "pb/q" + q, "-q", q, "-C", "2", "-v")) {
            sub.awaitSubscribed(WAIT);
            StarlingRun pub = StarlingRun.pub("first\nsecond\n".getBytes(StandardCharsets.UTF_8), "-p", p(), "-t",
                    "pb/q" + q, "-l", "-q", q);
            assertThat(pub.status()).as(pub.err()).isZero();
            MosquittoClients.Result r = sub.awaitExit(WAIT);
            assertThat(r.stdout()).containsExactly("pb/q" + q + " first", "pb/q" + q + " second");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"%t|%q|%r|%l|%p|%x|%E|%C|%R|%D|%F|%P", "%-8t|%08l|%.3p|%5E|%-5F", "%j"})
    void format_printsWhatMosquittoSubPrints(String format) throws Exception {
        assumeTrue(MosquittoClients.installed(), "mosquitto clients not installed");
        String topic = "fmt/" + Math.abs(format.hashCode());
        StarlingRun.Sub starling = new StarlingRun.Sub("-p", p(), "-t", topic + "/#", "-q", "1", "-V", "5", "-C", "2",
                "-F", format);
        try (MosquittoClients.Sub mosquitto = MosquittoClients.sub(port, "-t", topic + "/#", "-q", "1", "-V", "5",
                "-C", "2", "-F", format)) {
            starling.awaitSubscribed(WAIT);
            mosquitto.awaitSubscribed(WAIT);
            assertThat(MosquittoClients.pub(port, WAIT, "-t", topic + "/a", "-m", "hello", "-q", "1", "-V", "5",
                    "-D", "publish", "message-expiry-interval", "60", "-D", "publish", "content-type", "text/plain",
                    "-D", "publish", "response-topic", "r/t", "-D", "publish", "correlation-data", "cd",
                    "-D", "publish", "payload-format-indicator", "1", "-D", "publish", "user-property", "k", "v")
                    .exitCode()).isZero();
            assertThat(MosquittoClients.pub(port, WAIT, "-t", topic + "/b", "-m", "second").exitCode()).isZero();
            MosquittoClients.Result expected = mosquitto.awaitExit(WAIT);
            StarlingRun actual = starling.awaitExit(WAIT);
            String tst = "\"tst\":\"[^\"]*\"";
            assertThat(actual.out().replaceAll(tst, "T"))
                    .isEqualTo(String.join("\n", expected.stdout()).replaceAll(tst, "T") + "\n");
            assertThat(actual.status()).isEqualTo(expected.exitCode());
        }
    }

    @Test
    void client_overWebSocket_talksToAClientOverTcp() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        MessageListener listener = new MessageListener() {
            @Override
            public void onMessage(MqttClient client, Publish publish) {
                got.add(publish.topic() + "=" + publish.payload().toString(StandardCharsets.UTF_8));
            }
        };
        for (MqttVersion version : List.of(MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5)) {
            MqttClient ws = MqttClient.connect(ClientOptions.builder().host("127.0.0.1").port(wsPort)
                    .webSocketPath("/mqtt").version(version).clientId("ws-" + version.level()).build(), listener)
                    .get(10, TimeUnit.SECONDS);
            ws.subscribe(List.of(new Subscription("ws/" + version.level(), SubscriptionOptions.of(QoS.EXACTLY_ONCE))),
                    Properties.EMPTY).get(10, TimeUnit.SECONDS);
            MqttClient tcp = MqttClient.connect(ClientOptions.builder().host("127.0.0.1").port(port).version(version)
                    .build(), listener).get(10, TimeUnit.SECONDS);
            tcp.publish("ws/" + version.level(), Unpooled.copiedBuffer("over tcp", StandardCharsets.UTF_8),
                    QoS.EXACTLY_ONCE, false, Properties.EMPTY).get(10, TimeUnit.SECONDS);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("ws/" + version.level() + "=over tcp");
            byte[] big = new byte[300_000];
            big[299_999] = 'z';
            ws.publish("ws/" + version.level(), Unpooled.wrappedBuffer(big), QoS.AT_LEAST_ONCE, false, Properties.EMPTY)
                    .get(10, TimeUnit.SECONDS);
            assertThat(got.poll(10, TimeUnit.SECONDS)).hasSize(("ws/" + version.level() + "=").length() + 300_000)
                    .endsWith("z");
            tcp.close();
            ws.close();
        }
    }

    @Test
    void starlingSubOverTheCommandLine_endsOnTimeout_with27() throws Exception {
        StarlingRun.Sub sub = new StarlingRun.Sub("-p", p(), "-t", "quiet/topic", "-W", "1");
        StarlingRun r = sub.awaitExit(WAIT);
        assertThat(r.status()).isEqualTo(27);
        assertThat(r.err()).isEqualTo("Timed out\n");
    }
}
