package io.starling.broker.server.websockets;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.SubAck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listener N} + {@code protocol websockets}: MQTT over WebSocket (MQTT 5 §6) with independent
 * clients (Eclipse Paho, HiveMQ), and byte streams split across frames and joined in one.
 */
class WebSocketListenerTest {
    @TempDir
    static Path dir;
    private static Broker broker;
    private static int tcpPort;
    private static int wsPort;

    @BeforeAll
    static void start() throws Exception {
        tcpPort = freePort();
        wsPort = freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + tcpPort + " 127.0.0.1\nallow_anonymous true\n"
                + "listener " + wsPort + " 127.0.0.1\nprotocol websockets\n");
        broker = Broker.start(ConfigFile.read(conf));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void pahoOverWebSocket_talksToATcpClient() throws Exception {
        MqttClient ws = new MqttClient("ws://127.0.0.1:" + wsPort + "/mqtt", "paho-ws", new MemoryPersistence());
        ws.connect();
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        ws.subscribe("ws/#", 1, (topic, m) -> got.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
        try (RawMqttClient tcp = RawMqttClient.open(tcpPort)) {
            tcp.connect("tcp-pub", true, 60);
            tcp.send(RawMqttClient.publishPacket("ws/in", "over tcp", QoS.AT_LEAST_ONCE, 1));
        }
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("ws/in=over tcp");

        try (RawMqttClient tcp = RawMqttClient.open(tcpPort)) {
            tcp.connect("tcp-sub", true, 60);
            tcp.subscribe(1, "back/#", QoS.AT_MOST_ONCE);
            ws.publish("back/out", "over websocket".getBytes(StandardCharsets.UTF_8), 1, false);
            Publish p = tcp.receive(Publish.class);
            assertThat(RawMqttClient.payloadOf(p)).isEqualTo("over websocket");
            p.release();
        }
        ws.disconnect();
        ws.close();
    }

    @Test
    void hiveMqMqtt5OverWebSocket_onAnyPath() throws Exception {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("hive-ws").serverHost("127.0.0.1")
                .serverPort(wsPort).webSocketConfig().serverPath("some/other/path").applyWebSocketConfig()
                .buildBlocking();
        client.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            client.subscribeWith().topicFilter("hive/ws").qos(com.hivemq.client.mqtt.datatypes.MqttQos.EXACTLY_ONCE).send();
            byte[] big = new byte[200_000]; // larger than one frame of most clients: split and joined
            big[199_999] = 7;
            client.publishWith().topic("hive/ws").qos(com.hivemq.client.mqtt.datatypes.MqttQos.EXACTLY_ONCE)
                    .payload(big).send();
            Optional<Mqtt5Publish> p = publishes.receive(5, TimeUnit.SECONDS);
            assertThat(p).isPresent();
            assertThat(p.get().getPayloadAsBytes()).hasSize(200_000).endsWith((byte) 7);
        }
        client.disconnect();
    }

    @Test
    void packetsSplitAcrossFrames_andSeveralInOneFrame_areJoined() throws Exception {
        Frames frames = new Frames();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt")
                .buildAsync(URI.create("ws://127.0.0.1:" + wsPort + "/"), frames).get(5, TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).isEqualTo("mqtt");
        byte[] connect = RawMqttClient.encode(RawMqttClient.connectPacket("split", true, 60), MqttVersion.MQTT_3_1_1);
        // CONNECT in two WebSocket messages, the first ending mid-packet
        ws.sendBinary(ByteBuffer.wrap(connect, 0, 5), true).get();
        ws.sendBinary(ByteBuffer.wrap(connect, 5, connect.length - 5), true).get();
        assertThat(frames.next()).isInstanceOf(ConnAck.class);

        // SUBSCRIBE and a PUBLISH in one frame, sent as one fragmented message (continuation frames)
        byte[] subscribe = RawMqttClient.encode(new Subscribe(1, List.of(new Subscription("split/t",
                SubscriptionOptions.of(QoS.AT_MOST_ONCE))), Properties.EMPTY), MqttVersion.MQTT_3_1_1);
        byte[] publish = RawMqttClient.encode(RawMqttClient.publishPacket("split/t", "joined", QoS.AT_MOST_ONCE, 0),
                MqttVersion.MQTT_3_1_1);
        byte[] both = new byte[subscribe.length + publish.length];
        System.arraycopy(subscribe, 0, both, 0, subscribe.length);
        System.arraycopy(publish, 0, both, subscribe.length, publish.length);
        ws.sendBinary(ByteBuffer.wrap(both, 0, 3), false).get();
        ws.sendBinary(ByteBuffer.wrap(both, 3, both.length - 3), true).get();
        assertThat(frames.next()).isInstanceOf(SubAck.class);
        Object p = frames.next();
        assertThat(p).isInstanceOf(Publish.class);
        assertThat(RawMqttClient.payloadOf((Publish) p)).isEqualTo("joined");
        ((Publish) p).release();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get();
    }

    @Test
    void textFrame_closesTheConnection() throws Exception {
        Frames frames = new Frames();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt")
                .buildAsync(URI.create("ws://127.0.0.1:" + wsPort + "/mqtt"), frames).get(5, TimeUnit.SECONDS);
        ws.sendText("CONNECT please", true).get();
        assertThat(frames.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1003);
    }

    @Test
    void plainHttpRequest_getsBadRequest() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wsPort + "/mqtt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
    }

    /** Decodes the broker's binary messages back into packets. */
    private static final class Frames implements WebSocket.Listener {
        private final LinkedBlockingQueue<Object> packets = new LinkedBlockingQueue<>();
        private final io.netty.buffer.ByteBuf stream = io.netty.buffer.Unpooled.buffer();
        private final MqttDecoder decoder = new MqttDecoder(1 << 20);

        Frames() {
            decoder.setVersion(MqttVersion.MQTT_3_1_1);
        }
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            stream.writeBytes(data);
            while (true) {
                var result = decoder.decode(stream);
                if (result instanceof io.starling.mqtt.codec.Packet packet) {
                    packets.add(packet);
                } else {
                    break;
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        Object next() throws InterruptedException {
            Object p = packets.poll(5, TimeUnit.SECONDS);
            assertThat(p).as("a packet from the broker").isNotNull();
            return p;
        }
    }

}
