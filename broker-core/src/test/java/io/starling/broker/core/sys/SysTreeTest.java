package io.starling.broker.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.testing.TestBroker;
import io.starling.broker.core.testing.TestClient;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The $SYS tree: mosquitto's topics, published when they change, with fake time. */
class SysTreeTest {
    private static final String SYS = "$SYS/broker/";
    private final TestBroker broker = TestBroker.start();
    private final SysTree tree = new SysTree(broker.core(), "Starling version test");

    @AfterEach
    void tearDown() {
        broker.close();
    }

    /** Topic → value, without the heap topics, whose values change with every garbage collection. */
    private static Map<String, String> byTopic(List<SysTree.Value> values) {
        Map<String, String> out = new LinkedHashMap<>();
        for (SysTree.Value v : values) {
            if (!v.topic().startsWith(SYS + "heap/")) {
                out.put(v.topic().substring(SYS.length()), v.payload());
            }
        }
        return out;
    }

    @Test
    void start_publishesVersionUptimeEveryValueAndZeroLoads() {
        Map<String, String> first = byTopic(tree.start());

        assertThat(first).containsEntry("version", "Starling version test")
                .containsEntry("uptime", "0 seconds")
                .containsEntry("clients/connected", "0")
                .containsEntry("clients/active", "0")
                .containsEntry("clients/disconnected", "0")
                .containsEntry("clients/inactive", "0")
                .containsEntry("clients/total", "0")
                .containsEntry("clients/maximum", "0")
                .containsEntry("clients/expired", "0")
                .containsEntry("messages/stored", "0")
                .containsEntry("store/messages/count", "0")
                .containsEntry("store/messages/bytes", "0")
                .containsEntry("subscriptions/count", "0")
                .containsEntry("shared_subscriptions/count", "0")
                .containsEntry("retained messages/count", "0")
                .containsEntry("messages/received", "0")
                .containsEntry("messages/sent", "0")
                .containsEntry("publish/messages/dropped", "0")
                .containsEntry("publish/messages/received", "0")
                .containsEntry("publish/messages/sent", "0")
                .containsEntry("publish/bytes/received", "0")
                .containsEntry("publish/bytes/sent", "0")
                .containsEntry("bytes/received", "0")
                .containsEntry("bytes/sent", "0")
                .containsEntry("password_checks/pending", "0")
                .containsEntry("password_checks/refused/queue_full", "0")
                .containsEntry("password_checks/skipped/connection_closed", "0");
        for (String load : List.of("messages/received", "messages/sent", "publish/dropped", "publish/received",
                "publish/sent", "bytes/received", "bytes/sent", "sockets", "connections")) {
            for (String window : List.of("1min", "5min", "15min")) {
                assertThat(first).containsEntry("load/" + load + "/" + window, "0.00");
            }
        }
        for (String overload : List.of("overload/dropped/loop_backlog", "overload/refused/subscribe_filters", "overload/read_paused/output",
                "overload/read_paused/backlog", "overload/disconnected/outgoing_overflow",
                "overload/disconnected/connect_too_large", "overload/disconnected/connecting_budget",
                "overload/disconnected/connect_timeout", "overload/close_aborted")) {
            assertThat(first).containsEntry(overload, "0");
        }
        assertThat(first).hasSize(24 + 3 + 27 + 9);
    }

    @Test
    void update_withNothingChanged_publishesOnlyTheUptime() {
        tree.start();
        broker.clock().advance(Duration.ofSeconds(10));

        assertThat(byTopic(tree.update())).containsExactly(Map.entry("uptime", "10 seconds"));
    }

    @Test
    void update_afterAClientConnectedAndPublished_publishesWhatChanged() {
        tree.start();
        TestClient sub = broker.connected("sub");
        sub.subscribe("a/#", QoS.AT_LEAST_ONCE);
        TestClient pub = broker.connected("pub");
        pub.publish("a/b", QoS.AT_LEAST_ONCE, "12345");
        sub.ack(sub.takePublishes().get(0));
        broker.clock().advance(Duration.ofSeconds(10));

        Map<String, String> changed = byTopic(tree.update());

        assertThat(changed).containsEntry("clients/connected", "2").containsEntry("clients/active", "2")
                .containsEntry("clients/total", "2").containsEntry("clients/maximum", "2")
                .containsEntry("subscriptions/count", "1")
                .containsEntry("publish/messages/received", "1").containsEntry("publish/messages/sent", "1")
                .containsEntry("publish/bytes/received", "5").containsEntry("publish/bytes/sent", "5")
                // CONNECT ×2, SUBSCRIBE, PUBLISH, PUBACK in; CONNACK ×2, SUBACK, PUBLISH, PUBACK out
                .containsEntry("messages/received", "5").containsEntry("messages/sent", "5")
                .doesNotContainKeys("clients/disconnected", "clients/expired", "retained messages/count",
                        "publish/messages/dropped", "version");
        // 2 CONNECTs in 10 s: 12 a minute, blended into the 1-minute average with weight 1 - e^(-1/6).
        assertThat(changed).containsEntry("load/connections/1min", "1.84");
    }

    @Test
    void clientsMaximum_staysAtItsHighestValue() {
        tree.start();
        TestClient a = broker.connected("a");
        TestClient b = broker.connected("b");
        tree.update();
        a.disconnect();
        b.disconnect();

        Map<String, String> changed = byTopic(tree.update());

        assertThat(changed).containsEntry("clients/connected", "0").containsEntry("clients/total", "0")
                .doesNotContainKey("clients/maximum");
    }

    @Test
    void persistentSessionOffline_countsAsDisconnected() {
        tree.start();
        TestClient c = broker.newClient();
        c.connect("durable", false);
        c.subscribe("x", QoS.AT_LEAST_ONCE);
        c.disconnect();

        assertThat(byTopic(tree.update())).containsEntry("clients/disconnected", "1")
                .containsEntry("clients/inactive", "1").containsEntry("clients/total", "1").containsEntry("subscriptions/count", "1");
    }

    @Test
    void messagesQueuedForAnOfflineSession_countAsStored() {
        tree.start();
        TestClient c = broker.newClient();
        c.connect("durable", false);
        c.subscribe("x", QoS.AT_LEAST_ONCE);
        c.disconnect();
        TestClient pub = broker.connected("pub");
        pub.publish("x", QoS.AT_LEAST_ONCE, "abc");
        pub.publish("r", QoS.AT_MOST_ONCE, true, "retained");

        assertThat(byTopic(tree.update())).containsEntry("messages/stored", "2")
                .containsEntry("store/messages/count", "2")
                .containsEntry("store/messages/bytes", String.valueOf(3 + "retained".length()))
                .containsEntry("retained messages/count", "1");
    }

    @Test
    void loadAverage_isRepublishedOnlyWhenItMovesByAHundredth() {
        tree.start();
        for (int i = 0; i < 60; i++) {
            broker.core().counters().increment(Counter.BYTES_RECEIVED);
        }
        broker.clock().advance(Duration.ofSeconds(60));
        Map<String, String> first = byTopic(tree.update());
        broker.clock().advance(Duration.ofMillis(10));
        Map<String, String> second = byTopic(tree.update());

        assertThat(first).containsEntry("load/bytes/received/1min", "37.93")
                .containsEntry("load/bytes/received/5min", "10.88")
                .containsEntry("load/bytes/received/15min", "3.87")
                .containsEntry("bytes/received", "60");
        assertThat(second).doesNotContainKeys("load/bytes/received/1min", "load/bytes/received/15min");
    }

    @Test
    void publishedValues_areRetainedAndReachSubscribers() {
        TestClient sub = broker.connected("watcher");
        sub.subscribe("$SYS/broker/version", QoS.EXACTLY_ONCE);

        broker.loop().run(() -> {
            tree.publishStart();
            broker.loop().outbox().flushPending();
        });

        List<Publish> got = sub.takePublishes();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).payload().toString(StandardCharsets.UTF_8)).isEqualTo("Starling version test");
        assertThat(got.get(0).qos()).isEqualTo(QoS.EXACTLY_ONCE); // as mosquitto's $SYS messages
        TestClient late = broker.connected("late");
        late.subscribe("$SYS/broker/uptime", QoS.AT_MOST_ONCE);
        assertThat(late.takePublishes()).singleElement().satisfies(p -> assertThat(p.retain()).isTrue());
    }

    @Test
    void wildcardSubscriptions_doNotReceiveSysTopics() {
        TestClient sub = broker.connected("everything");
        sub.subscribe("#", QoS.AT_MOST_ONCE);

        broker.loop().run(() -> {
            tree.publishStart();
            broker.loop().outbox().flushPending();
        });

        sub.expectNothing(); // MQTT-4.7.2-1: '#' does not match topics beginning with '$'
    }

    @Test
    void readAcl_keepsSysTopicsFromClientsThatMayNotReadThem() {
        Authorizer noSys = new Authorizer() {
            @Override
            public Access canRead(ClientIdentity who, String topic) {
                return topic.startsWith("$SYS/") && !"admin".equals(who.clientId()) ? Access.DENY : Access.ALLOW;
            }

            @Override
            public Access canPublish(ClientIdentity who, String topic) {
                return Access.ALLOW;
            }

            @Override
            public Access canSubscribe(ClientIdentity who, String filter) {
                return Access.ALLOW;
            }
        };
        broker.core().replaceSecurity(Authenticator.anonymous(true), noSys);
        TestClient admin = broker.connected("admin");
        admin.subscribe("$SYS/#", QoS.AT_MOST_ONCE);
        TestClient other = broker.connected("other");
        other.subscribe("$SYS/#", QoS.AT_MOST_ONCE);

        broker.loop().run(() -> {
            tree.publishStart();
            broker.loop().outbox().flushPending();
        });

        assertThat(admin.takePublishes()).isNotEmpty();
        other.expectNothing();
    }

    @Test
    void addedTopics_arePublishedWhenAdded_thenOnlyWhenTheirValueChanges() {
        tree.start();
        Map<String, String> cluster = new LinkedHashMap<>(Map.of(SYS + "cluster/nodes", "1", SYS + "cluster/leader", "a"));

        Map<String, String> added = byTopic(tree.addTopics(() -> Map.copyOf(cluster)));
        Map<String, String> unchanged = byTopic(tree.update());
        cluster.put(SYS + "cluster/nodes", "2");
        Map<String, String> changed = byTopic(tree.update());

        assertThat(added).containsOnly(Map.entry("cluster/nodes", "1"), Map.entry("cluster/leader", "a"));
        assertThat(unchanged).doesNotContainKeys("cluster/nodes", "cluster/leader");
        assertThat(changed).containsEntry("cluster/nodes", "2").doesNotContainKey("cluster/leader");
        assertThat(byTopic(tree.start())).containsEntry("cluster/nodes", "2").containsEntry("cluster/leader", "a");
    }
}
