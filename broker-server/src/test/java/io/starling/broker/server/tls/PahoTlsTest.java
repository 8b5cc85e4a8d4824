package io.starling.broker.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.transport.TlsSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A server-authenticated TLS listener (certfile and keyfile only) and Eclipse Paho v3 over TLS. */
@Timeout(30)
class PahoTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki stranger;
    static TlsBroker broker;

    @BeforeAll
    static void start() throws InterruptedException {
        pki = new TestPki(dir, "paho");
        stranger = new TestPki(dir, "stranger");
        broker = TlsBroker.start(TlsSettings.of(pki.serverCert, pki.serverKey));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void pahoTrustingTheCa_publishesAndReceivesOverTls() throws Exception {
        MqttClient subscriber = TlsClients.paho(broker, pki.clientContext(false, "TLS"));
        MqttClient publisher = TlsClients.paho(broker, pki.clientContext(false, "TLS"));
        try {
            BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
            subscriber.subscribe("tls/paho", 1, (topic, m) -> received.add(topic + " " + new String(m.getPayload(),
                    StandardCharsets.UTF_8)));

            publisher.publish("tls/paho", "over tls".getBytes(StandardCharsets.UTF_8), 1, false);

            assertThat(received.poll(TlsClients.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("tls/paho over tls");
        } finally {
            TlsClients.closeQuietly(subscriber);
            TlsClients.closeQuietly(publisher);
        }
    }

    @Test
    void pahoTrustingAnotherCa_cannotConnect() {
        assertThatThrownBy(() -> TlsClients.paho(broker, stranger.clientContext(false, "TLS")))
                .isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(e.getCause()).isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("PKIX path building failed"));
    }

    @Test
    void plainMqttOnTheTlsPort_isNotAnswered() throws MqttException {
        MqttClient plain = new MqttClient("tcp://127.0.0.1:" + broker.port(), "plain-" + UUID.randomUUID(),
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setConnectionTimeout(TlsClients.TIMEOUT_SECONDS);
        try {
            assertThatThrownBy(() -> plain.connect(options)).isInstanceOf(MqttException.class);
        } finally {
            plain.close(true);
        }
    }
}
