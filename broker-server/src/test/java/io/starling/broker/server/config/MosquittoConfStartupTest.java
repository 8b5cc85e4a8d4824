package io.starling.broker.server.config;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker started from a mosquitto.conf applies what the file says. */
class MosquittoConfStartupTest {
    @TempDir
    Path dir;


    private Path conf(String text) throws IOException {
        Path file = dir.resolve("mosquitto.conf");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void maxConnections_refusesConnectionsBeyondTheLimit() throws Exception {
        int port = freePort();
        try (Broker broker = Broker.start(ConfigFile.read(conf(
                "listener " + port + " 127.0.0.1\nallow_anonymous true\nmax_connections 2\n")));
             RawMqttClient a = RawMqttClient.open("127.0.0.1", port);
             RawMqttClient b = RawMqttClient.open("127.0.0.1", port);
             RawMqttClient c = RawMqttClient.open("127.0.0.1", port)) {
            // The broker accepts in its own order: exactly one of the three is turned away.
            int closed = 0;
            for (RawMqttClient client : java.util.List.of(c, b, a)) {
                if (client.isClosedWithin(Duration.ofMillis(closed == 0 ? 2000 : 200))) {
                    closed++;
                }
            }
            assertThat(closed).isEqualTo(1);
        }
    }

    @Test
    void maxHeldQos2Bytes_closesA311ClientHoldingMoreOverItsReceiveQuota() throws Exception {
        int port = freePort();
        try (Broker broker = Broker.start(ConfigFile.read(conf("listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + "max_inflight_messages 2\nmax_held_qos2_bytes 300\n")));
             RawMqttClient client = RawMqttClient.open("127.0.0.1", port)) {
            client.connect("holder", true, 60);
            String payload = "x".repeat(100);
            for (int id = 1; id <= 3; id++) { // 2 within the quota, 1 over it: 300 bytes awaiting PUBREL
                client.send(RawMqttClient.publishPacket("a/b", payload, io.starling.mqtt.codec.QoS.EXACTLY_ONCE, id));
                assertThat(client.receive(io.starling.mqtt.codec.PubRec.class).packetId()).isEqualTo(id);
            }
            client.send(RawMqttClient.publishPacket("a/b", payload, io.starling.mqtt.codec.QoS.EXACTLY_ONCE, 4));
            assertThat(client.isClosedWithin(Duration.ofSeconds(2))).as("closed past 300 bytes").isTrue();
            assertThatThrownBy(() -> client.receive(Duration.ofMillis(100))).as("no PUBREC: the client sends it again")
                    .isInstanceOf(AssertionError.class);
        }
    }

    @Test
    void listenerWithoutAllowAnonymous_refusesAnonymousClients() throws Exception {
        int port = freePort();
        try (Broker broker = Broker.start(ConfigFile.read(conf("listener " + port + " 127.0.0.1\n")))) {
            MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "anon", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            assertThatThrownBy(() -> client.connect(options)).isInstanceOf(MqttException.class)
                    .extracting(e -> ((MqttException) e).getReasonCode())
                    .isEqualTo((int) MqttException.REASON_CODE_NOT_AUTHORIZED);
            client.close();
        }
    }

    @Test
    void passwordFileThatCannotBeRead_stopsStartupNamingIt() throws Exception {
        int port = freePort();
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> Broker.start(ConfigFile.read(conf(
                "listener " + port + " 127.0.0.1\npassword_file " + missing + "\n"))))
                .isInstanceOf(Broker.StartException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void aclFileWithASyntaxError_stopsStartupNamingFileAndLine() throws Exception {
        int port = freePort();
        Path acl = dir.resolve("aclfile");
        Files.writeString(acl, "user bob\ntopik read a\n");
        assertThatThrownBy(() -> Broker.start(ConfigFile.read(conf(
                "listener " + port + " 127.0.0.1\nacl_file " + acl + "\n"))))
                .isInstanceOf(Broker.StartException.class).hasMessageContaining(acl + ":2:");
    }

    @Test
    void perListenerSettings_giveEachListenerItsOwnAnonymousAccessAndAcl() throws Exception {
        int open = freePort();
        int closed = freePort();
        Path acl = dir.resolve("aclfile");
        Files.writeString(acl, "topic read public/#\n");
        try (Broker broker = Broker.start(ConfigFile.read(conf("per_listener_settings true\n"
                + "listener " + open + " 127.0.0.1\nallow_anonymous true\nacl_file " + acl + "\n"
                + "listener " + closed + " 127.0.0.1\nallow_anonymous false\n")))) {
            MqttClient onOpen = new MqttClient("tcp://127.0.0.1:" + open, "a", new MemoryPersistence());
            onOpen.connect();
            assertThat(onOpen.isConnected()).isTrue();
            java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
            onOpen.subscribe("#", 0, (topic, m) -> seen.add(topic));
            onOpen.publish("public/x", "1".getBytes(), 0, false); // the ACL grants no write: dropped
            assertThat(seen.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
            onOpen.disconnect();
            onOpen.close();

            MqttClient onClosed = new MqttClient("tcp://127.0.0.1:" + closed, "b", new MemoryPersistence());
            assertThatThrownBy(() -> onClosed.connect(new MqttConnectOptions())).isInstanceOf(MqttException.class)
                    .extracting(e -> ((MqttException) e).getReasonCode())
                    .isEqualTo((int) MqttException.REASON_CODE_NOT_AUTHORIZED);
            onClosed.close();
        }
    }

    @Test
    void mountPoint_prefixesTopicsOfThatListenerAndHidesThePrefixFromItsClients() throws Exception {
        int mounted = freePort();
        int plain = freePort();
        try (Broker broker = Broker.start(ConfigFile.read(conf("allow_anonymous true\nlistener " + mounted
                + " 127.0.0.1\nmount_point tenant1/\nlistener " + plain + " 127.0.0.1\n")))) {
            MqttClient outside = new MqttClient("tcp://127.0.0.1:" + plain, "outside", new MemoryPersistence());
            MqttClient inside = new MqttClient("tcp://127.0.0.1:" + mounted, "inside", new MemoryPersistence());
            java.util.concurrent.BlockingQueue<String> seenOutside = new java.util.concurrent.LinkedBlockingQueue<>();
            java.util.concurrent.BlockingQueue<String> seenInside = new java.util.concurrent.LinkedBlockingQueue<>();
            outside.connect();
            inside.connect();
            outside.subscribe("#", 1, (topic, m) -> seenOutside.add(topic));
            inside.subscribe("#", 1, (topic, m) -> seenInside.add(topic));

            inside.publish("sensor/t", "21".getBytes(), 1, false);
            outside.publish("tenant1/cmd", "go".getBytes(), 1, false);
            outside.publish("other/x", "no".getBytes(), 1, false);

            // Two publishers: no order between their messages (CI, 2026-12-07: tenant1/cmd came first).
            assertThat(List.of(poll(seenOutside), poll(seenOutside), poll(seenOutside)))
                    .containsExactlyInAnyOrder("tenant1/sensor/t", "tenant1/cmd", "other/x");
            assertThat(List.of(poll(seenInside), poll(seenInside))).containsExactlyInAnyOrder("sensor/t", "cmd");
            assertThat(seenInside.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
            outside.disconnect();
            inside.disconnect();
            outside.close();
            inside.close();
        }
    }

    @Test
    void pskListener_isRefusedRatherThanOpenedWithoutTls() throws Exception {
        int port = freePort();
        assertThatThrownBy(() -> Broker.start(ConfigFile.read(conf(
                "listener " + port + " 127.0.0.1\npsk_hint starling\n"))))
                .isInstanceOf(Broker.StartException.class).hasMessageContaining("psk");
        try (java.net.Socket s = new java.net.Socket()) {
            assertThatThrownBy(() -> s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500))
                    .isInstanceOf(IOException.class); // nothing listens there
        }
    }

    @Test
    void listenerWithoutAnonymousAccessOrPasswordFile_refusesClientsWithAUserNameToo() throws Exception {
        int port = freePort();
        try (Broker broker = Broker.start(ConfigFile.read(conf("listener " + port + " 127.0.0.1\n")))) {
            MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "named", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName("anyone");
            options.setPassword("anything".toCharArray());
            assertThatThrownBy(() -> client.connect(options)).isInstanceOf(MqttException.class)
                    .extracting(e -> ((MqttException) e).getReasonCode())
                    .isEqualTo((int) MqttException.REASON_CODE_NOT_AUTHORIZED);
            client.close();
        }
    }

    private static String poll(java.util.concurrent.BlockingQueue<String> seen) throws InterruptedException {
        String topic = seen.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(topic).as("a delivery within 5 s").isNotNull();
        return topic;
    }
}
