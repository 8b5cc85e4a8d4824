package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.core.routing.Message;
import io.starling.broker.testkit.Await;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Will;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 point 6: wills, will delay, session expiry and message expiry behave as on one node whichever
 * node the client was on. Three brokers started with {@code Broker.start} and cluster lines, shared by the
 * tests (each test uses its own client ids and topics), driven by raw packets for the clients whose
 * CONNECT matters and HiveMQ clients for the watchers.
 *
 * <p>Some tests must let time pass (a delay, an expiry): they wait for the time itself, and for every
 * state change they wait for the condition, never a guessed sleep.
 */
class ClusterExpiryTest {
    private static final NodeId B = ThreeBrokers.B;
    private static final NodeId C = ThreeBrokers.C;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final List<Broker> brokers = new ArrayList<>();
    private static Broker a;
    private static Broker b;
    private static Broker c;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        List<Broker> started = ThreeBrokers.start("expiry", WAIT);
        a = started.get(0);
        b = started.get(1);
        c = started.get(2);
        brokers.addAll(started);
    }

    @AfterAll
    static void stop() {
        brokers.forEach(Broker::close);
    }

    @AfterEach
    void closeClients() {
        for (int i = clients.size() - 1; i >= 0; i--) {
            try {
                clients.get(i).close();
            } catch (Exception ignored) {
                // the broker may have closed it already
            }
        }
    }

    @Test
    void willsOfClientsKilledOnA_reachSubscribersOnBAndC_once_andARetainedWillIsRetainedEverywhere() throws Exception {
        BlockingQueue<Mqtt5Publish> onB = watch(b, "killed-watch-b", "killed/#");
        BlockingQueue<Mqtt5Publish> onC = watch(c, "killed-watch-c", "killed/#");
        awaitRoutes("killed/#");
        RawMqttClient v5 = raw(a);
        v5.connect(connect5("killed5", 0, will("killed/5", false, 0)));
        RawMqttClient v3 = raw(a);
        v3.connect(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "killed3", true, 60,
                RawMqttClient.will("killed/3", "gone", QoS.AT_LEAST_ONCE, true)));

        v5.close();
        v3.close();

        assertThat(topics(onB, 2)).as("on b").containsExactlyInAnyOrder("killed/5", "killed/3");
        assertThat(topics(onC, 2)).as("on c").containsExactlyInAnyOrder("killed/5", "killed/3");
        marker("killed/marker");
        assertThat(topicOf(poll(onB))).isEqualTo("killed/marker");
        assertThat(topicOf(poll(onC))).isEqualTo("killed/marker");
        Await.until(WAIT, "the retained will on every node", () -> brokers.stream().allMatch(x -> retained(x, "killed/3")),
                () -> brokers.stream().map(x -> "retained " + retained(x, "killed/3") + " (topics " + retainedTopics(x) + ") on "
                        + x.cluster().raft().describe())
                        .collect(java.util.stream.Collectors.joining("; "))); // failed once in CI (2026-12-07)
        BlockingQueue<Mqtt5Publish> late = watch(c, "killed-late-c", "killed/3");
        Mqtt5Publish kept = poll(late);
        assertThat(kept.isRetain()).isTrue();
        assertThat(kept.getPayloadAsBytes()).isEqualTo("gone".getBytes());
    }

    @Test
    void delayedWill_isNeverSent_whenItsClientReconnectsOnAnotherNodeWithinTheDelay() throws Exception {
        BlockingQueue<Mqtt5Publish> onB = watch(b, "back-watch-b", "back/#");
        BlockingQueue<Mqtt5Publish> onC = watch(c, "back-watch-c", "back/#");
        awaitRoutes("back/#");
        RawMqttClient first = raw(a);
        first.connect(connect5("back", 60, will("back/will", false, 4)));
        first.close();
        await("the will held on A", () -> a.core().sessions().get("back") != null
                && !a.core().sessions().get("back").isOnline());

        ConnAck again = raw(b).connect(connect5("back", 60, null));

        assertThat(again.sessionPresent()).isTrue();
        Thread.sleep(6_000); // time itself: the delay (4 s) must pass for a will to be due
        marker("back/marker");
        assertThat(topicOf(poll(onB))).isEqualTo("back/marker");
        assertThat(topicOf(poll(onC))).isEqualTo("back/marker");
    }

    @Test
    void delayedWill_goesOutAfterTheDelay_toSubscribersOnEveryNode() throws Exception {
        BlockingQueue<Mqtt5Publish> onB = watch(b, "late-watch-b", "late/#");
        BlockingQueue<Mqtt5Publish> onC = watch(c, "late-watch-c", "late/#");
        awaitRoutes("late/#");
        RawMqttClient first = raw(a);
        first.connect(connect5("late", 60, will("late/will", false, 2)));
        long closedAt = System.nanoTime();
        first.close();

        assertThat(topicOf(poll(onB))).isEqualTo("late/will");
        assertThat(System.nanoTime() - closedAt).isGreaterThanOrEqualTo(Duration.ofMillis(1_900).toNanos());
        assertThat(topicOf(poll(onC))).isEqualTo("late/will");
        marker("late/marker");
        assertThat(topicOf(poll(onB))).isEqualTo("late/marker");
        assertThat(topicOf(poll(onC))).isEqualTo("late/marker");
    }

    @Test
    void willDelayLongerThanTheSessionExpiry_goesOutWhenTheSessionEnds() throws Exception {
        BlockingQueue<Mqtt5Publish> onB = watch(b, "short-watch-b", "short/#");
        await("b's route on a", () -> ThreeBrokers.routesOf(a, B).containsKey("short/#"));
        RawMqttClient first = raw(a);
        first.connect(connect5("short", 2, will("short/will", false, 120)));
        first.close();

        Mqtt5Publish w = onB.poll(20, TimeUnit.SECONDS); // at the session's end (2 s), long before 120 s
        assertThat(w).isNotNull();
        assertThat(w.getTopic().toString()).isEqualTo("short/will");
        await("the session gone on A", () -> a.core().sessions().get("short") == null);
    }

    @Test
    void sessionResumedOnAnotherNodeBeforeItExpires_isPresent_withItsQueuedMessages() throws Exception {
        RawMqttClient first = raw(a);
        first.connect(connect5("resumed", 4, null));
        first.subscribe(1, "resumed/t", QoS.AT_LEAST_ONCE);
        first.disconnect();
        await("offline on A", () -> a.core().sessions().get("resumed") != null && !a.core().sessions().get("resumed").isOnline());
        hive(a, "resumed-pub").publishWith().topic("resumed/t").qos(MqttQos.AT_LEAST_ONCE).payload("q".getBytes()).send();
        await("queued on A", () -> a.core().sessions().get("resumed").queuedCount() == 1);

        RawMqttClient next = raw(b);
        ConnAck ack = next.connect(connect5("resumed", 4, null));

        assertThat(ack.sessionPresent()).isTrue();
        assertThat(RawMqttClient.payloadOf(next.receive(Publish.class))).isEqualTo("q");
        // A lets go of its copy on its session's loop after sending the state, which B may deliver from first
        // (failed once under load, 2026-12-07, asserted at once).
        await("A's copy gone", () -> a.core().sessions().get("resumed") == null);
        assertThat(a.core().sessions().get("resumed")).isNull();
    }

    @Test
    void sessionExpiredOnItsNode_isNotPresentOnAnotherNode_andNothingOfItIsLeftAnywhere() throws Exception {
        RawMqttClient first = raw(a);
        first.connect(connect5("expired", 2, null));
        first.subscribe(1, "expired/t", QoS.AT_LEAST_ONCE);
        first.disconnect();
        await("offline on A", () -> a.core().sessions().get("expired") != null && !a.core().sessions().get("expired").isOnline());
        hive(a, "expired-pub").publishWith().topic("expired/t").qos(MqttQos.AT_LEAST_ONCE).payload("q".getBytes()).send();
        long sessionsBefore = a.core().sessions().size();

        await("expired on A", () -> a.core().sessions().get("expired") == null);
        assertThat(a.core().sessions().size()).isEqualTo(sessionsBefore - 1);
        RawMqttClient next = raw(b);
        ConnAck ack = next.connect(connect5("expired", 2, null));

        assertThat(ack.sessionPresent()).isFalse();
        assertThat(next.poll(Duration.ofSeconds(2))).isEmpty();
        assertThat(a.core().sessions().get("expired")).isNull();
        assertThat(c.core().sessions().get("expired")).isNull();
        // Its subscription went with it: a publish on A reaches nobody on B.
        hive(a, "expired-pub2").publishWith().topic("expired/t").qos(MqttQos.AT_LEAST_ONCE).payload("r".getBytes()).send();
        assertThat(next.poll(Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void expiredQueuedMessage_isNotDeliveredWhenTheSessionMovesToAnotherNode() throws Exception {
        RawMqttClient first = raw(a);
        first.connect(connect5("msgexp", 600, null));
        first.subscribe(1, "msgexp/t", QoS.AT_LEAST_ONCE);
        first.disconnect();
        await("offline on A", () -> a.core().sessions().get("msgexp") != null && !a.core().sessions().get("msgexp").isOnline());
        Mqtt5BlockingClient publisher = hive(a, "msgexp-pub");
        publisher.publishWith().topic("msgexp/t").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1)
                .payload("short".getBytes()).send();
        publisher.publishWith().topic("msgexp/t").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(600)
                .payload("long".getBytes()).send();
        await("both queued on A", () -> a.core().sessions().get("msgexp").queuedCount() == 2);
        Thread.sleep(2_500); // time itself: the first message's expiry (1 s) must pass

        RawMqttClient next = raw(b);
        assertThat(next.connect(connect5("msgexp", 600, null)).sessionPresent()).isTrue();

        Publish p = next.receive(Publish.class);
        assertThat(RawMqttClient.payloadOf(p)).isEqualTo("long");
        assertThat(p.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1)).isBetween(1L, 598L);
        assertThat(next.poll(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void queuedMessageMovedToAnotherNode_keepsOnlyItsRemainingExpiryInterval() throws Exception {
        RawMqttClient first = raw(a);
        first.connect(connect5("msgleft", 600, null));
        first.subscribe(1, "msgleft/t", QoS.AT_LEAST_ONCE);
        first.disconnect();
        await("offline on A", () -> a.core().sessions().get("msgleft") != null && !a.core().sessions().get("msgleft").isOnline());
        hive(a, "msgleft-pub").publishWith().topic("msgleft/t").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(30)
                .payload("m".getBytes()).send();
        await("queued on A", () -> a.core().sessions().get("msgleft").queuedCount() == 1);
        Thread.sleep(2_200); // time itself: the message waits 2 s on A

        RawMqttClient next = raw(b);
        next.connect(connect5("msgleft", 600, null));

        Publish p = next.receive(Publish.class);
        assertThat(p.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1)).isBetween(1L, 28L);
    }

    @Test
    void messageForwardedToAnOfflineSessionOnB_expiresThere_asOnOneNode() throws Exception {
        RawMqttClient first = raw(b);
        first.connect(connect5("fwdexp", 600, null));
        first.subscribe(1, "fwdexp/t", QoS.AT_LEAST_ONCE);
        first.disconnect();
        await("b's route on A", () -> ThreeBrokers.routesOf(a, B).containsKey("fwdexp/t"));
        Mqtt5BlockingClient publisher = hive(a, "fwdexp-pub");
        publisher.publishWith().topic("fwdexp/t").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(1)
                .payload("short".getBytes()).send();
        publisher.publishWith().topic("fwdexp/t").qos(MqttQos.AT_LEAST_ONCE).messageExpiryInterval(30)
                .payload("long".getBytes()).send();
        await("both queued on B", () -> b.core().sessions().get("fwdexp").queuedCount() == 2);
        Thread.sleep(2_500); // time itself

        RawMqttClient next = raw(c);
        assertThat(next.connect(connect5("fwdexp", 600, null)).sessionPresent()).isTrue();

        Publish p = next.receive(Publish.class);
        assertThat(RawMqttClient.payloadOf(p)).isEqualTo("long");
        assertThat(p.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1)).isBetween(1L, 28L);
        assertThat(next.poll(Duration.ofSeconds(1))).isEmpty();
    }

    /**
     * As one node (and mosquitto 2.0.11, measured): on takeover a will without delay goes when the old
     * session ended with its connection (5.0 expiry 0, 3.1.1 clean session) or the new CONNECT starts
     * clean; otherwise, and for any delayed will, none.
     */
    @Test
    void takeoverFromAnotherNode_sendsTheWillOfTheOldConnection_exactlyWhenOneNodeWould() throws Exception {
        BlockingQueue<Mqtt5Publish> onC = watch(c, "over-watch-c", "over/#");
        await("c's route on a and b", () -> ThreeBrokers.routesOf(a, C).containsKey("over/#") && ThreeBrokers.routesOf(b, C).containsKey("over/#"));
        takeOver(connect5("over-ends", 0, will("over/ends", false, 0)), connect5("over-ends", 0, null));
        takeOver(connect5("over-clean", 60, will("over/clean", false, 0)),
                new Connect(MqttVersion.MQTT_5, "over-clean", true, 60, null, null, null, Properties.EMPTY));
        takeOver(connect5("over-kept", 60, will("over/kept", false, 0)), connect5("over-kept", 60, null));
        takeOver(new Connect(MqttVersion.MQTT_5, "over-delayed", true, 60, null, null, will("over/delayed", false, 30),
                Properties.EMPTY), new Connect(MqttVersion.MQTT_5, "over-delayed", true, 60, null, null, null, Properties.EMPTY));
        takeOver(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "over-3", true, 60,
                RawMqttClient.will("over/3", "gone", QoS.AT_LEAST_ONCE, false)),
                RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "over-3", true, 60, null));
        takeOver(RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "over-3kept", false, 60,
                RawMqttClient.will("over/3kept", "gone", QoS.AT_LEAST_ONCE, false)),
                RawMqttClient.connectPacket(MqttVersion.MQTT_3_1_1, "over-3kept", false, 60, null));

        assertThat(topics(onC, 3)).containsExactlyInAnyOrder("over/ends", "over/clean", "over/3");
        marker("over/marker");
        assertThat(topicOf(poll(onC))).isEqualTo("over/marker");
    }

    /** {@code first} connects on A, then {@code second} with the same id on B takes it over. */
    private void takeOver(Connect first, Connect second) {
        RawMqttClient old = raw(a);
        assertThat(old.connect(first).reasonCode()).isZero();
        RawMqttClient next = raw(b);
        assertThat(next.connect(second).reasonCode()).isZero();
        assertThat(old.isClosedWithin(WAIT)).isTrue();
    }

    // ---- helpers ----

    private static Connect connect5(String clientId, long sessionExpiry, Will will) {
        return new Connect(MqttVersion.MQTT_5, clientId, false, 60, null, null, will, Properties.builder()
                .number(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiry).build());
    }

    private static Will will(String topic, boolean retain, long delaySeconds) {
        Properties p = delaySeconds == 0 ? Properties.EMPTY
                : Properties.builder().number(PropertyId.WILL_DELAY_INTERVAL, delaySeconds).build();
        return new Will(topic, "gone".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, retain, p);
    }

    private RawMqttClient raw(Broker at) {
        RawMqttClient client = RawMqttClient.open("127.0.0.1", at.port());
        clients.add(client);
        return client;
    }

    private Mqtt5BlockingClient hive(Broker at, String id) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(at.port())
                .buildBlocking();
        client.connect();
        clients.add(() -> {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        });
        return client;
    }

    /** A subscriber on {@code at} whose deliveries land in the returned queue. */
    private BlockingQueue<Mqtt5Publish> watch(Broker at, String id, String filter) {
        BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient client = hive(at, id);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, got::add);
        client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        return got;
    }

    /** Published on A last: anything doubled before it would have arrived before it. */
    private void marker(String topic) {
        hive(a, "marker-" + topic.replace('/', '-')).publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload("m".getBytes()).send();
    }

    private static void awaitRoutes(String filter) throws InterruptedException {
        await("b's and c's routes on a", () -> ThreeBrokers.routesOf(a, B).containsKey(filter) && ThreeBrokers.routesOf(a, C).containsKey(filter));
    }

    private static Mqtt5Publish poll(BlockingQueue<Mqtt5Publish> queue) throws InterruptedException {
        Mqtt5Publish p = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(p).as("a delivery").isNotNull();
        return p;
    }

    /** The topics of up to {@code n} deliveries: fewer when one does not come in time. */
    private static List<String> topics(BlockingQueue<Mqtt5Publish> queue, int n) throws InterruptedException {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Mqtt5Publish p = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (p == null) {
                break;
            }
            got.add(topicOf(p));
        }
        return got;
    }

    private static String topicOf(Mqtt5Publish p) {
        return p.getTopic().toString();
    }

    private static List<String> retainedTopics(Broker at) {
        List<String> topics = new ArrayList<>();
        at.core().retained().topics((topic, payloadBytes) -> topics.add(topic));
        return topics;
    }

    private static boolean retained(Broker at, String topic) {
        boolean[] found = {false};
        at.core().retained().match(topic, (Message m) -> {
            found[0] = true;
            m.release();
            return true;
        });
        return found[0];
    }

    /** Node i of three, with failure detection slow enough for three brokers on a loaded 2-core machine. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }
}
