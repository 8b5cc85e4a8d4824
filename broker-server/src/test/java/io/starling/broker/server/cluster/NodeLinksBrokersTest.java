package io.starling.broker.server.cluster;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.link.LinkLoops;
import io.starling.broker.cluster.link.NodeLinks;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.server.Broker;
import io.starling.broker.transport.EventLoops;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three real brokers in one JVM joined by node links, with the routes entered by hand (the route
 * table is another piece): independent clients publish on node A and subscribe on B and C, and get
 * what they would get on one node, once per session, with one copy per node on the link.
 */
class NodeLinksBrokersTest {
    private static final NodeId A = new NodeId("a");
    private static final NodeId B = new NodeId("b");
    private static final NodeId C = new NodeId("c");
    private static final long TIMEOUT_MS = 20_000;

    @TempDir
    static Path dir;
    /**
     * The links' loops, made as the broker makes its own (epoll where available): Broker does not hand
     * out its own in this slice; the wiring will pass them.
     */
    private static EventLoops linkLoops;
    private static final Map<NodeId, Broker> brokers = new HashMap<>();
    private static final Map<NodeId, NodeLinks> links = new HashMap<>();
    private static final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        linkLoops = new EventLoops(2);
        for (NodeId node : List.of(A, B, C)) {
            Path conf = dir.resolve(node + ".conf");
            Path store = Files.createDirectories(dir.resolve(node + "-store"));
            // Persistence on: a forwarded message for a persistent session is acknowledged on the link once durable.
            Files.writeString(conf, "listener " + freePort() + " 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                    + "persistence true\npersistence_location " + store + "/\n");
            Broker broker = Broker.start(ConfigFile.read(conf));
            brokers.put(node, broker);
            links.put(node, NodeLinks.start(node, System.currentTimeMillis(), broker.core(), new LinkLoops(linkLoops.workers(),
                    linkLoops.serverChannel(), linkLoops.socketChannel(), linkLoops.outboxes()), new InetSocketAddress("127.0.0.1", 0)));
        }
        for (NodeId from : List.of(A, B, C)) {
            for (NodeId to : List.of(A, B, C)) {
                if (!from.equals(to)) {
                    links.get(from).nodeAt(to, links.get(to).address());
                }
            }
        }
        for (NodeId from : List.of(A, B, C)) {
            for (NodeId to : List.of(A, B, C)) {
                if (!from.equals(to)) {
                    NodeId f = from;
                    waitFor(() -> links.get(f).isConnected(to), "link " + from + " -> " + to);
                }
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the broker may have closed it already
            }
        }
        links.values().forEach(NodeLinks::close);
        brokers.values().forEach(Broker::close);
        linkLoops.close();
    }


    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** What the route table will do: enter node {@code to} under {@code filter} in {@code on}'s tree. */
    private static void route(NodeId on, String filter, NodeId to) {
        brokers.get(on).core().subscriptions().subscribe(filter, links.get(on).remoteNode(to),
                new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0));
    }

    private static int port(NodeId node) {
        return brokers.get(node).port();
    }

    private static Mqtt5BlockingClient hivemq(NodeId node, String id) {
        return hivemq(node, id, 0);
    }

    private static Mqtt5BlockingClient hivemq(NodeId node, String id, long sessionExpirySeconds) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(port(node)).buildBlocking();
        c.connectWith().cleanStart(true).sessionExpiryInterval(sessionExpirySeconds).send();
        clients.add(c::disconnect);
        return c;
    }

    /** A Paho 5 client whose messages land in {@code into}. */
    private static MqttAsyncClient paho5(NodeId node, String id, BlockingQueue<MqttMessage> into) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port(node), id, new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                into.add(m);
            }

            @Override
            public void deliveryComplete(IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties p) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(TIMEOUT_MS);
        clients.add(() -> {
            c.disconnect().waitForCompletion(TIMEOUT_MS);
            c.close();
        });
        return c;
    }

    private static void subscribe(MqttAsyncClient c, int subscriptionId, MqttSubscription... subs) throws MqttException {
        MqttProperties p = new MqttProperties();
        if (subscriptionId > 0) {
            p.setSubscriptionIdentifier(subscriptionId);
        }
        c.subscribe(subs, null, null, p).waitForCompletion(TIMEOUT_MS);
    }

    private static List<Mqtt5Publish> receive(Mqtt5BlockingClient.Mqtt5Publishes publishes, int n) throws InterruptedException {
        List<Mqtt5Publish> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Optional<Mqtt5Publish> p = publishes.receive(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(p).as("message " + (i + 1) + " of " + n).isPresent();
            got.add(p.get());
        }
        return got;
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void qos0To2PublishedOnA_reachASubscriberOnB_downgradedToItsGrantedQos() throws Exception {
        Mqtt5BlockingClient sub = hivemq(B, "sub-qos");
        Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL);
        sub.subscribeWith().topicFilter("qos/#").qos(MqttQos.AT_LEAST_ONCE).send();
        route(A, "qos/#", B);
        Mqtt5BlockingClient pub = hivemq(A, "pub-qos");

        for (MqttQos qos : MqttQos.values()) {
            pub.publishWith().topic("qos/" + qos.getCode()).qos(qos).payload(("q" + qos.getCode()).getBytes()).send();
        }

        List<Mqtt5Publish> got = receive(publishes, 3);
        assertThat(got).extracting(p -> p.getTopic().toString() + " " + p.getQos().getCode() + " " + text(p))
                .containsExactly("qos/0 0 q0", "qos/1 1 q1", "qos/2 1 q2");
    }

    @Test
    void propertiesRetainAsPublishedAndSubscriptionIds_surviveTheLink() throws Exception {
        BlockingQueue<MqttMessage> got = new LinkedBlockingQueue<>();
        MqttAsyncClient sub = paho5(B, "sub-props", got);
        MqttSubscription rap = new MqttSubscription("props/#", 2);
        rap.setRetainAsPublished(true);
        subscribe(sub, 7, rap);
        route(A, "props/#", B);
        Mqtt5BlockingClient pub = hivemq(A, "pub-props");

        pub.publishWith().topic("props/x").qos(MqttQos.EXACTLY_ONCE).retain(true).payload("hello".getBytes())
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8).contentType("text/plain")
                .responseTopic("reply/to").correlationData("corr".getBytes()).messageExpiryInterval(120)
                .userProperties().add("k", "v1").add("k", "v2").applyUserProperties().send();

        MqttMessage m = got.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(m).isNotNull();
        assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(m.getQos()).isEqualTo(2);
        assertThat(m.isRetained()).as("retain as published").isTrue();
        MqttProperties p = m.getProperties();
        assertThat(p.getSubscriptionIdentifiers()).containsExactly(7);
        assertThat(p.getPayloadFormat()).isTrue();
        assertThat(p.getContentType()).isEqualTo("text/plain");
        assertThat(p.getResponseTopic()).isEqualTo("reply/to");
        assertThat(p.getCorrelationData()).isEqualTo("corr".getBytes());
        assertThat(p.getMessageExpiryInterval()).isBetween(110L, 120L);
        assertThat(p.getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("k", "v1"), org.assertj.core.groups.Tuple.tuple("k", "v2"));
    }

    @Test
    void noLocal_holdsForThePublishersClientIdOnAnotherNode() throws Exception {
        BlockingQueue<MqttMessage> self = new LinkedBlockingQueue<>();
        BlockingQueue<MqttMessage> other = new LinkedBlockingQueue<>();
        MqttSubscription noLocal = new MqttSubscription("nolocal/#", 1);
        noLocal.setNoLocal(true);
        subscribe(paho5(B, "same-id", self), 0, noLocal);
        subscribe(paho5(B, "other-id", other), 0, new MqttSubscription("nolocal/#", 1));
        route(A, "nolocal/#", B);
        Mqtt5BlockingClient pub = hivemq(A, "same-id");

        pub.publishWith().topic("nolocal/1").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();

        assertThat(other.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS)).as("the other session gets it").isNotNull();
        assertThat(self.poll(200, TimeUnit.MILLISECONDS)).as("the publisher's id, on B too").isNull();
    }

    @Test
    void overlappingSubscriptionsOnB_oneDeliveryPerSessionAndOneCopyPerNode() throws Exception {
        BlockingQueue<String> v3 = new LinkedBlockingQueue<>();
        org.eclipse.paho.client.mqttv3.MqttClient paho3 = new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + port(B), "sub-overlap-v3", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        paho3.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() { // one call per PUBLISH received
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String t, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                v3.add(t + " q" + m.getQos());
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        paho3.connect(o);
        clients.add(() -> {
            paho3.disconnect();
            paho3.close();
        });
        paho3.subscribe(new String[] {"overlap/#", "overlap/+"}, new int[] {1, 2});
        Mqtt5BlockingClient onC = hivemq(C, "sub-overlap-c");
        Mqtt5BlockingClient.Mqtt5Publishes cPublishes = onC.publishes(MqttGlobalPublishFilter.ALL);
        onC.subscribeWith().topicFilter("overlap/+").qos(MqttQos.AT_LEAST_ONCE).send();
        route(A, "overlap/#", B);
        route(A, "overlap/+", B);
        route(A, "overlap/x", B);
        route(A, "overlap/+", C);
        long outB = links.get(A).counters(B).forwardedOut.sum();
        long inB = links.get(B).counters(A).forwardedIn.sum();
        long outC = links.get(A).counters(C).forwardedOut.sum();
        Mqtt5BlockingClient pub = hivemq(A, "pub-overlap");

        pub.publishWith().topic("overlap/x").qos(MqttQos.EXACTLY_ONCE).payload("1".getBytes()).send();
        pub.publishWith().topic("overlap/end").qos(MqttQos.AT_LEAST_ONCE).payload("2".getBytes()).send();

        // Paho v3 hands a QoS 2 message to the application at PUBREL, so the QoS 1 one may come first.
        List<String> first = new ArrayList<>();
        first.add(v3.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        first.add(v3.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        assertThat(first).containsExactlyInAnyOrder("overlap/x q2", "overlap/end q1");
        assertThat(v3.poll(300, TimeUnit.MILLISECONDS)).as("one delivery of each message").isNull();
        assertThat(receive(cPublishes, 2)).extracting(NodeLinksBrokersTest::text).containsExactly("1", "2");
        assertThat(links.get(A).counters(B).forwardedOut.sum() - outB).as("one copy per message to B").isEqualTo(2);
        assertThat(links.get(A).counters(C).forwardedOut.sum() - outC).as("one copy per message to C").isEqualTo(2);
        assertThat(links.get(B).counters(A).forwardedIn.sum() - inB).isEqualTo(2);
    }

    @Test
    void messageForwardedToB_isNotForwardedOnToC() throws Exception {
        Mqtt5BlockingClient onB = hivemq(B, "sub-hop-b");
        Mqtt5BlockingClient.Mqtt5Publishes bPublishes = onB.publishes(MqttGlobalPublishFilter.ALL);
        onB.subscribeWith().topicFilter("hop/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient onC = hivemq(C, "sub-hop-c");
        Mqtt5BlockingClient.Mqtt5Publishes cPublishes = onC.publishes(MqttGlobalPublishFilter.ALL);
        onC.subscribeWith().topicFilter("hop/#").qos(MqttQos.AT_LEAST_ONCE).send();
        route(A, "hop/#", B); // A knows only of B's subscriber
        route(B, "hop/#", C);

        hivemq(A, "pub-hop-a").publishWith().topic("hop/from-a").qos(MqttQos.AT_LEAST_ONCE).payload("a".getBytes()).send();
        assertThat(receive(bPublishes, 1)).extracting(NodeLinksBrokersTest::text).containsExactly("a");
        hivemq(B, "pub-hop-b").publishWith().topic("hop/from-b").qos(MqttQos.AT_LEAST_ONCE).payload("b".getBytes()).send();

        assertThat(receive(cPublishes, 1)).extracting(NodeLinksBrokersTest::text)
                .as("B routed A's message to its own sessions only, before it took its own publisher's").containsExactly("b");
    }

    @Test
    void nodeGoneAndBackAgain_getsNewMessagesThroughItsNewLink() throws Exception {
        Mqtt5BlockingClient sub = hivemq(B, "sub-back");
        Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL);
        sub.subscribeWith().topicFilter("back/#").qos(MqttQos.AT_LEAST_ONCE).send();
        route(A, "back/#", B);
        Mqtt5BlockingClient pub = hivemq(A, "pub-back");
        pub.publishWith().topic("back/1").qos(MqttQos.AT_LEAST_ONCE).payload("before".getBytes()).send();
        assertThat(receive(publishes, 1)).extracting(NodeLinksBrokersTest::text).containsExactly("before");

        links.get(A).nodeGone(B); // suspected, say, and merged back a moment later
        links.get(A).nodeAt(B, links.get(B).address());
        route(A, "back/#", B);
        waitFor(() -> links.get(A).isConnected(B), "the new link");
        pub.publishWith().topic("back/2").qos(MqttQos.AT_LEAST_ONCE).payload("after".getBytes()).send();

        assertThat(receive(publishes, 1)).extracting(NodeLinksBrokersTest::text)
                .as("not taken by B for a resend of what it had seen").containsExactly("after");
    }

    @Test
    void publishMatchingOnlyAnotherNode_isNotAnsweredNoMatchingSubscribers() {
        route(A, "remote-only/#", C);
        Mqtt5BlockingClient pub = hivemq(A, "pub-matching");

        Mqtt5PublishResult r = pub.publishWith().topic("remote-only/1").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();

        assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode().getCode()).isZero();
    }

    /**
     * The link from A to B is cut four times while QoS 1/2 messages stream through it: B's
     * subscriber (a persistent session, so each message is stored on B before the link ack) gets
     * each one exactly once.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void linkDroppedMidStream_losesNothingAndDuplicatesNothing(int qosCode) throws Exception {
        MqttQos qos = MqttQos.fromCode(qosCode);
        String prefix = "stream" + qosCode;
        Mqtt5BlockingClient sub = hivemq(B, "sub-" + prefix, 300);
        Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL);
        sub.subscribeWith().topicFilter(prefix + "/#").qos(qos).send();
        route(A, prefix + "/#", B);
        Mqtt5AsyncClient pub = hivemq(A, "pub-" + prefix).toAsync();
        int n = 1000;
        long resentBefore = links.get(A).counters(B).resent.sum();

        List<CompletableFuture<Mqtt5PublishResult>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            acks.add(pub.publishWith().topic(prefix + "/m").qos(qos).payload(Integer.toString(i).getBytes()).send());
            if (i % 250 == 125) {
                waitFor(() -> links.get(A).isConnected(B), "the link back");
                links.get(A).dropLink(B);
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        waitFor(() -> links.get(A).unacknowledged(B) == 0, "every forwarded message acknowledged");
        pub.publishWith().topic(prefix + "/end").qos(qos).payload("end".getBytes()).send().get();

        Map<String, Integer> count = new HashMap<>();
        List<Mqtt5Publish> got = new ArrayList<>();
        while (true) {
            Optional<Mqtt5Publish> p = publishes.receive(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(p).as("after " + got.size() + " messages").isPresent();
            if (text(p.get()).equals("end")) {
                break; // behind everything else on the link and in the session
            }
            got.add(p.get());
            count.merge(text(p.get()), 1, Integer::sum);
        }
        assertThat(count).as("each message once").hasSize(n).allSatisfy((k, v) -> assertThat(v).as(k).isOne());
        assertThat(links.get(A).counters(B).resent.sum() - resentBefore).as("the cuts came mid-stream").isPositive();
    }
}
