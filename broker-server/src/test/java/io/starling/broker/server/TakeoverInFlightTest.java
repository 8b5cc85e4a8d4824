package io.starling.broker.server;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ClusterSettings;
import io.starling.broker.config.ClusterSettings.HostPort;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.testkit.Await;
import io.starling.broker.testkit.Concurrently;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The in-flight part of a session takeover across nodes (issue 17 point 3, docs/cluster.md "Session
 * takeover"): publishers on the old node A keep publishing to the session's subscription while its client
 * id moves to node B. Every message acknowledged to a publisher must reach the client (on A before the
 * move or on B after it): QoS 1 at least once, QoS 2 exactly once, each publisher's messages in order.
 */
@ExtendWith(FailOnLeaks.class)
class TakeoverInFlightTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Messages each publisher sends after B's route for the session is on A: well past the move. */
    private static final int AFTER_ROUTE = 200;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> receivedOn = new ConcurrentLinkedQueue<>();
    private Broker a;
    private Broker b;

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void messagesPublishedOnTheOldNodeWhileTheSessionMoves_allReachTheClient_qos2ExactlyOnce_inOrder() throws Exception {
        startTwoNodes();
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        Mqtt5AsyncClient onA = mover(a, received);
        onA.subscribeWith().topicFilter("g/#").qos(MqttQos.EXACTLY_ONCE).send().get(10, TimeUnit.SECONDS);
        Stream qos1 = new Stream(a, "g/1", MqttQos.AT_LEAST_ONCE);
        Stream qos2 = new Stream(a, "g/2", MqttQos.EXACTLY_ONCE);
        await("both streams reach the client on A", () -> countOf(received, "g/1") > 20 && countOf(received, "g/2") > 20);

        mover(b, received); // takes the session over: A closes its connection

        await("B's route on A", () -> a.cluster().routes().remoteRoutes().getOrDefault(new NodeId("n2"), Map.of())
                .containsKey("g/#"));
        int mark1 = qos1.acknowledged.size();
        int mark2 = qos2.acknowledged.size();
        await("more messages after the move", () -> qos1.acknowledged.size() > mark1 + AFTER_ROUTE
                && qos2.acknowledged.size() > mark2 + AFTER_ROUTE);
        qos1.stop();
        qos2.stop();
        String last1 = qos1.acknowledged.get(qos1.acknowledged.size() - 1);
        String last2 = qos2.acknowledged.get(qos2.acknowledged.size() - 1);
        // Not an assertion by itself: what never comes is listed below.
        long settle = System.nanoTime() + WAIT.toNanos();
        while (!(received.contains(last1) && received.contains(last2)) && System.nanoTime() < settle) {
            Thread.sleep(10);
        }

        for (Stream stream : List.of(qos1, qos2)) {
            List<String> firsts = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String payload : received) {
                if (payload.startsWith(stream.topic + ":") && seen.add(payload)) {
                    firsts.add(payload);
                }
            }
            List<String> lost = new ArrayList<>(stream.acknowledged);
            lost.removeAll(seen);
            assertThat(lost).as("acknowledged to the publisher of %s (%d), never delivered (%d received)", stream.topic,
                    stream.acknowledged.size(), seen.size()).isEmpty();
            assertThat(firsts).as("%s in publisher order", stream.topic).isEqualTo(sorted(firsts));
        }
        // QoS 2 exactly once per client: each instance of "mover" keeps its own QoS 2 receiving state, so a
        // message the client took on A whose PUBREC A had not handled when it closed the connection is sent
        // again by B (DUP, same packet id, MQTT-4.3.3) to the new instance, which cannot know it. Such a resend
        // comes before anything new on B (the inflight window goes first); nothing else may come twice.
        List<String> qos2OnA = new ArrayList<>();
        List<String> qos2OnB = new ArrayList<>();
        for (String r : receivedOn) {
            if (r.substring(2).startsWith("g/2:")) {
                (r.startsWith("A") ? qos2OnA : qos2OnB).add(r.substring(2));
            }
        }
        assertThat(qos2OnA).as("QoS 2 deliveries on A").doesNotHaveDuplicates();
        assertThat(qos2OnB).as("QoS 2 deliveries on B").doesNotHaveDuplicates();
        Set<String> takenOnA = new HashSet<>(qos2OnA);
        int firstNew = 0;
        while (firstNew < qos2OnB.size() && takenOnA.contains(qos2OnB.get(firstNew))) {
            firstNew++;
        }
        assertThat(qos2OnB.subList(firstNew, qos2OnB.size())).as("QoS 2 messages the client took on A, sent again by B after "
                + "new ones (not a resend of the inflight window)").noneMatch(takenOnA::contains);
    }

    private static List<String> sorted(List<String> payloads) {
        List<String> copy = new ArrayList<>(payloads);
        copy.sort((x, y) -> Integer.compare(seq(x), seq(y)));
        return copy;
    }

    private static int seq(String payload) {
        return Integer.parseInt(payload.substring(payload.indexOf(':') + 1));
    }

    private static long countOf(ConcurrentLinkedQueue<String> received, String topic) {
        return received.stream().filter(p -> p.startsWith(topic + ":")).count();
    }

    /** The moving client "mover" on {@code broker}, persistent, every message it gets into {@code received}. */
    private Mqtt5AsyncClient mover(Broker broker, ConcurrentLinkedQueue<String> received) throws Exception {
        Mqtt5AsyncClient c = Mqtt5Client.builder().identifier("mover").serverHost("127.0.0.1").serverPort(broker.port())
                .buildAsync();
        String on = broker == a ? "A" : "B";
        c.publishes(MqttGlobalPublishFilter.ALL, p -> {
            String payload = new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
            received.add(payload);
            receivedOn.add(on + " " + payload);
        });
        c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().get(20, TimeUnit.SECONDS);
        open.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    /** A publisher on its own thread: topic:seq, each send returning after its acknowledgement. */
    private final class Stream {
        final String topic;
        final List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stop = new AtomicBoolean();
        private final CompletableFuture<Void> done;

        Stream(Broker broker, String topic, MqttQos qos) {
            this.topic = topic;
            Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("pub-" + topic.replace('/', '-'))
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            c.connect();
            open.add(c::disconnect);
            done = CompletableFuture.runAsync(() -> {
                for (int seq = 0; !stop.get(); seq++) {
                    String payload = topic + ":" + seq;
                    c.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8)).qos(qos).send();
                    acknowledged.add(payload);
                }
            }, runnable -> new Thread(runnable, "stream-" + topic).start());
            open.add(this::stop);
        }

        void stop() throws Exception {
            stop.set(true);
            done.get(20, TimeUnit.SECONDS);
        }
    }

    private void startTwoNodes() throws Exception {
        List<HostPort> addresses = List.of(new HostPort("127.0.0.1", freePort()), new HostPort("127.0.0.1", freePort()));
        List<Broker> started = Concurrently.all(Duration.ofSeconds(60),
                List.of(() -> start(settings(addresses, 0)), () -> start(settings(addresses, 1))), Broker::close);
        a = started.get(0);
        b = started.get(1);
        await("one view", () -> a.cluster().channel().members().size() == 2);
        RaftLeaders.await(WAIT, List.of(a, b));
    }

    private Broker start(ClusterSettings cluster) {
        try {
            Broker broker = Broker.start(BrokerConfig.defaults().withCluster(cluster)
                    .withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))).withAllowAnonymous(true));
            synchronized (open) {
                open.add(broker);
            }
            return broker;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static ClusterSettings settings(List<HostPort> addresses, int i) {
        return new ClusterSettings("inflight", "n" + (i + 1), addresses.get(i), addresses, List.of("n1", "n2"), 0, null,
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }
}
