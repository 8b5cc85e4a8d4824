package io.starling.mqtt.tools.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PacketType;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.tools.ClosedPort;
import io.starling.mqtt.tools.MosquittoBrokers;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MqttClient} against Debian's mosquitto 2.0 broker: the QoS 1 and 2 flows both ways, keep alive
 * pings, the server's Receive Maximum, server-assigned identifiers and refusals. Skipped where mosquitto
 * is not installed.
 */
@Timeout(60)
class MqttClientMosquittoTest {
    @TempDir
    static Path dir;
    private static MosquittoBrokers.Broker broker;
    private static MosquittoBrokers.Broker narrow;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(MosquittoBrokers.installed(), "mosquitto is not installed");
        broker = MosquittoBrokers.start(dir, "");
        narrow = MosquittoBrokers.start(dir, "max_inflight_messages 2\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (narrow != null) {
            narrow.close();
        }
    }

    /** Collects what a client receives, as text: "topic qos payload". */
    private static final class Received implements MessageListener {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(MqttClient client, Publish publish) {
            messages.add(publish.topic() + " " + publish.qos().value() + " "
                    + publish.payload().toString(StandardCharsets.UTF_8));
        }

        String next() throws InterruptedException {
            return messages.poll(10, TimeUnit.SECONDS);
        }
    }

    /** Records the packets a client sends and receives. */
    private static final class Recorder implements PacketTrace {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void sent(MqttClient client, Packet packet) {
            events.add("> " + packet.type());
        }

        @Override
        public void received(MqttClient client, Packet packet) {
            events.add("< " + packet.type());
        }
    }

    private static ClientOptions.Builder options(MosquittoBrokers.Broker b, MqttVersion version) {
        return ClientOptions.builder().host("127.0.0.1").port(b.port()).version(version)
                .connectTimeout(Duration.ofSeconds(10));
    }

    private static MqttClient connect(ClientOptions options, MessageListener listener) throws Exception {
        return MqttClient.connect(options, listener).get(10, TimeUnit.SECONDS);
    }

    @Test
    void qos1And2_bothWays_completeOnTheirAcknowledgements_andDeliverOnce() throws Exception {
        for (MqttVersion version : List.of(MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5, MqttVersion.MQTT_3_1)) {
            Received received = new Received();
            Recorder trace = new Recorder();
            MqttClient sub = connect(options(broker, version).clientId("qsub" + version.level()).trace(trace).build(),
                    received);
            SubAck ack = sub.subscribe(List.of(new Subscription("q/" + version.level() + "/#",
                    SubscriptionOptions.of(QoS.EXACTLY_ONCE))), Properties.EMPTY).get(10, TimeUnit.SECONDS);
            assertThat(ack.reasonCodes()).containsExactly(2);
            MqttClient pub = connect(options(broker, version).clientId("qpub" + version.level()).build(), new Received());
            for (QoS qos : QoS.values()) {
                pub.publish("q/" + version.level() + "/" + qos.value(), Unpooled.copiedBuffer("m" + qos.value(),
                        StandardCharsets.UTF_8), qos, false, Properties.EMPTY).get(10, TimeUnit.SECONDS);
            }
            assertThat(pub.inflight()).isZero();
            String base = "q/" + version.level() + "/";
            assertThat(List.of(received.next(), received.next(), received.next()))
                    .containsExactly(base + "0 0 m0", base + "1 1 m1", base + "2 2 m2");
            UnsubAck unsubAck = sub.unsubscribe(List.of(base + "#"), Properties.EMPTY).get(10, TimeUnit.SECONDS);
            assertThat(unsubAck.packetId()).isPositive();
            pub.disconnect(0, Properties.EMPTY).get(10, TimeUnit.SECONDS);
            sub.disconnect(0, Properties.EMPTY).get(10, TimeUnit.SECONDS);
            assertThat(trace.events).containsSubsequence("< PUBLISH", "> PUBACK", "< PUBLISH", "> PUBREC", "< PUBREL",
                    "> PUBCOMP");
            assertThat(received.messages).isEmpty();
        }
    }

    @Test
    void quietConnection_isKeptAliveWithPings() throws Exception {
        Recorder trace = new Recorder();
        MqttClient client = connect(options(broker, MqttVersion.MQTT_3_1_1).keepAliveSeconds(1).trace(trace).build(),
                new Received());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!trace.events.contains("< PINGRESP") && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(trace.events).containsSubsequence("> PINGREQ", "< PINGRESP");
        Thread.sleep(2500);
        assertThat(client.closeFuture()).isNotDone();
        client.close();
    }

    @Test
    void publishesBeyondTheServersReceiveMaximum_waitInTheClient() throws Exception {
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        PacketTrace counting = new PacketTrace() {
            @Override
            public void sent(MqttClient client, Packet packet) {
                if (packet.type() == PacketType.PUBLISH) {
                    most.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                }
            }

            @Override
            public void received(MqttClient client, Packet packet) {
                if (packet.type() == PacketType.PUBACK) {
                    outstanding.decrementAndGet();
                }
            }
        };
        MqttClient client = connect(options(narrow, MqttVersion.MQTT_5).trace(counting).build(), new Received());
        assertThat(client.connAck().properties().number(PropertyId.RECEIVE_MAXIMUM, 0xFFFF)).isEqualTo(2);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(client.publish("paced/" + i, Unpooled.copiedBuffer(new byte[] {(byte) i}), QoS.AT_LEAST_ONCE,
                    false, Properties.EMPTY));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(most.get()).isEqualTo(2);
        client.close();
    }

    @Test
    void emptyClientId_isAssignedByTheServer_in5() throws Exception {
        MqttClient client = connect(options(broker, MqttVersion.MQTT_5).build(), new Received());
        assertThat(client.clientId()).startsWith("auto-");
        assertThat(client.connAck().properties().text(PropertyId.ASSIGNED_CLIENT_IDENTIFIER)).isEqualTo(client.clientId());
        client.close();
    }

    @Test
    void willAndRetain_areHonoured() throws Exception {
        Received received = new Received();
        MqttClient watcher = connect(options(broker, MqttVersion.MQTT_5).clientId("watcher").build(), received);
        watcher.subscribe(List.of(new Subscription("will/+", SubscriptionOptions.of(QoS.AT_LEAST_ONCE))), Properties.EMPTY)
                .get(10, TimeUnit.SECONDS);
        MqttClient dying = connect(options(broker, MqttVersion.MQTT_5).clientId("dying")
                .will(new io.starling.mqtt.codec.Will("will/dying", "gone".getBytes(StandardCharsets.UTF_8),
                        QoS.AT_LEAST_ONCE, false, Properties.EMPTY)).build(), new Received());
        dying.disconnect(0x04, Properties.EMPTY).get(10, TimeUnit.SECONDS);
        assertThat(received.next()).isEqualTo("will/dying 1 gone");
        watcher.close();
    }

    @Test
    void refusedConnect_failsWithTheReasonCode() throws Exception {
        try (MosquittoBrokers.Broker closed = MosquittoBrokers.startClosed(dir)) {
            assertThatThrownBy(() -> MqttClient.connect(options(closed, MqttVersion.MQTT_5).build(), new Received())
                    .get(10, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(ConnectRefusedException.class, e -> {
                        assertThat(e.reasonCode()).isEqualTo(0x87);
                        assertThat(e.version()).isEqualTo(MqttVersion.MQTT_5);
                    });
            assertThatThrownBy(() -> MqttClient.connect(options(closed, MqttVersion.MQTT_3_1_1).build(), new Received())
                    .get(10, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(ConnectRefusedException.class,
                            e -> assertThat(e.reasonCode()).isEqualTo(5));
        }
    }

    @Test
    void closedPort_failsWithConnectException() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            assertThatThrownBy(() -> MqttClient.connect(ClientOptions.builder().host("127.0.0.1").port(closed.port())
                    .build(), new Received()).get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectException.class);
        }
    }

    @Test
    void payload_isReleasedOnceSent_andCopiedOnlyByTheCaller() throws Exception {
        MqttClient client = connect(options(broker, MqttVersion.MQTT_3_1_1).build(), new Received());
        io.netty.buffer.ByteBuf payload = Unpooled.directBuffer().writeBytes(new byte[] {1, 2, 3});
        client.publish("own/it", payload, QoS.AT_LEAST_ONCE, false, Properties.EMPTY).get(10, TimeUnit.SECONDS);
        assertThat(payload.refCnt()).isZero();
        assertThat(ByteBufUtil.hexDump(Unpooled.wrappedBuffer(new byte[] {1}))).isEqualTo("01");
        client.close();
    }
}
