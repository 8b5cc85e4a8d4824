package io.starling.broker.server.tls;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** WSS: a {@code protocol websockets} listener with mosquitto's TLS options, from a mosquitto.conf. */
@Timeout(30)
class WebSocketTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static Broker broker;
    static int wssPort;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir, "wss");
        wssPort = freePort();
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + wssPort + " 127.0.0.1\n"
                + "protocol websockets\ncertfile " + pki.serverCert + "\nkeyfile " + pki.serverKey
                + "\nallow_anonymous true\n");
        broker = Broker.start(ConfigFile.read(conf));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }


    private static MqttClient connect(String uri, String clientId) throws Exception {
        MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(pki.clientContext(false, "TLS").getSocketFactory());
        options.setConnectionTimeout(TlsClients.TIMEOUT_SECONDS);
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return client;
    }

    @Test
    void pahoOverWss_publishesAndReceives() throws Exception {
        String uri = "wss://localhost:" + wssPort + "/mqtt";
        MqttClient sub = connect(uri, "wss-sub");
        MqttClient pub = connect(uri, "wss-pub");
        try {
            BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
            sub.subscribe("wss/t", 1, (topic, m) -> received.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
            pub.publish("wss/t", "secure socket".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(received.poll(TlsClients.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("wss/t secure socket");
        } finally {
            TlsClients.closeQuietly(sub);
            TlsClients.closeQuietly(pub);
        }
    }

    @Test
    void plainWebSocketOnTheWssPort_cannotConnect() throws Exception {
        MqttClient plain = new MqttClient("ws://localhost:" + wssPort + "/mqtt", "ws-plain", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setConnectionTimeout(TlsClients.TIMEOUT_SECONDS);
        try {
            assertThatThrownBy(() -> plain.connect(options)).isInstanceOf(MqttException.class);
        } finally {
            plain.close(true);
        }
    }
}
