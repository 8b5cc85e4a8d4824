package io.starling.broker.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's guarantee, tested the hard way: the broker runs as its own process and is killed with
 * SIGKILL while a publisher streams numbered messages to an offline persistent subscriber. After a
 * restart on the same directory every message the publisher saw acknowledged reaches the subscriber,
 * in order: duplicates are allowed (and counted) at QoS 1, none at QoS 2.
 */
class CrashRecoveryIT {
    private static final String TOPIC = "crash/stream";

    @Test
    void qos1_everyAcknowledgedMessageSurvivesSigkill_inOrder(@TempDir Path dir) throws Exception {
        Result r = streamAndKill(dir, 1);
        assertThat(r.missing).as("acknowledged messages lost").isEmpty();
        assertThat(r.outOfOrder).as("messages out of order").isZero();
        System.out.printf("QoS 1 crash: %d acknowledged before SIGKILL, %d delivered after restart, %d duplicates%n",
                r.acknowledged, r.delivered, r.duplicates);
    }

    @Test
    void qos2_everyAcknowledgedMessageSurvivesSigkill_inOrder_withoutDuplicates(@TempDir Path dir) throws Exception {
        Result r = streamAndKill(dir, 2);
        assertThat(r.missing).as("acknowledged messages lost").isEmpty();
        assertThat(r.outOfOrder).as("messages out of order").isZero();
        assertThat(r.duplicates).as("duplicates at QoS 2").isZero();
    }

    @Test
    void retainedMessagesAndSubscriptions_surviveSigkill(@TempDir Path dir) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(dir)) {
            broker.start();
            MqttClient sub = new MqttClient(broker.url(), "crash-retained-sub", new MemoryPersistence());
            sub.connect(persistent());
            sub.subscribe(new String[] {"sensors/+/temp", "alerts/#"}, new int[] {1, 2});
            sub.disconnect();
            sub.close();
            MqttClient pub = new MqttClient(broker.url(), "crash-retained-pub", new MemoryPersistence());
            pub.connect();
            for (int i = 0; i < 20; i++) {
                pub.publish("sensors/" + i + "/temp", ("t" + i).getBytes(StandardCharsets.UTF_8), 1, true);
            }
            pub.publish("sensors/3/temp", new byte[0], 1, true); // deletes one
            pub.disconnect();
            pub.close();

            broker.kill();
            broker.start();

            List<String> retained = Collections.synchronizedList(new ArrayList<>());
            MqttClient reader = new MqttClient(broker.url(), "crash-retained-reader", new MemoryPersistence());
            reader.connect();
            CountDownLatch nineteen = new CountDownLatch(19);
            reader.subscribe("sensors/#", 1, (topic, m) -> {
                retained.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8));
                nineteen.countDown();
            });
            assertThat(nineteen.await(10, TimeUnit.SECONDS)).as("retained after restart: %s", retained).isTrue();
            assertThat(retained).contains("sensors/0/temp=t0", "sensors/19/temp=t19")
                    .doesNotContain("sensors/3/temp=t3");
            reader.disconnect();
            reader.close();

            // The subscriber's session and its subscriptions came back: it need not subscribe again.
            MqttClient again = new MqttClient(broker.url(), "crash-retained-sub", new MemoryPersistence());
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            // It was offline while the retained messages went out: those 21 were queued for it, then come 2 new ones.
            CountDownLatch two = new CountDownLatch(23);
            again.setCallback(new Collector(got, two));
            IMqttToken token = again.connectWithResult(persistent());
            assertThat(token.getSessionPresent()).as("session present after restart").isTrue();
            MqttClient pub2 = new MqttClient(broker.url(), "crash-retained-pub2", new MemoryPersistence());
            pub2.connect();
            pub2.publish("sensors/7/temp", "new".getBytes(StandardCharsets.UTF_8), 1, false);
            pub2.publish("alerts/fire", "hot".getBytes(StandardCharsets.UTF_8), 2, false);
            pub2.disconnect();
            pub2.close();
            assertThat(two.await(10, TimeUnit.SECONDS)).as("received %s", got).isTrue();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add("t" + i);
            }
            expected.addAll(List.of("", "new", "hot"));
            assertThat(got).containsExactlyElementsOf(expected);
            again.disconnect();
            again.close();
        }
    }

    /** Subscribes a persistent session, takes it offline, streams at {@code qos} and kills the broker mid-stream. */
    private Result streamAndKill(Path dir, int qos) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(dir)) {
            broker.start();
            String subId = "crash-sub-q" + qos;
            MqttClient sub = new MqttClient(broker.url(), subId, new MemoryPersistence());
            sub.connect(persistent());
            sub.subscribe(TOPIC, qos);
            sub.disconnect();
            sub.close();

            Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
            MqttAsyncClient pub = new MqttAsyncClient(broker.url(), "crash-pub-q" + qos, new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMaxInflight(64);
            options.setAutomaticReconnect(false);
            pub.connect(options).waitForCompletion(10_000);
            Semaphore window = new Semaphore(64);
            AtomicBoolean stopped = new AtomicBoolean();
            CountDownLatch enoughAcked = new CountDownLatch(2_000);
            Thread publisher = new Thread(() -> {
                try {
                    for (int n = 1; !stopped.get(); n++) {
                        if (!window.tryAcquire(5, TimeUnit.SECONDS)) {
                            return; // the broker is gone
                        }
                        int number = n;
                        pub.publish(TOPIC, payload(number), qos, false, null, new IMqttActionListener() {
                            @Override
                            public void onSuccess(IMqttToken token) {
                                acknowledged.add(number);
                                enoughAcked.countDown();
                                window.release();
                            }

                            @Override
                            public void onFailure(IMqttToken token, Throwable e) {
                                window.release();
                            }
                        });
                    }
                } catch (Exception e) {
                    // the connection died under us: expected once the broker is killed
                }
            });
            publisher.start();
            assertThat(enoughAcked.await(60, TimeUnit.SECONDS)).as("2,000 acknowledgements; log:\n%s",
                    broker.logText()).isTrue();
            broker.kill();
            stopped.set(true);
            publisher.join(10_000);
            pub.close(true);
            List<Integer> acked = new ArrayList<>(acknowledged);
            Collections.sort(acked);

            broker.start();
            List<Integer> received = Collections.synchronizedList(new ArrayList<>());
            MqttClient again = new MqttClient(broker.url(), subId, new MemoryPersistence());
            int highest = acked.get(acked.size() - 1);
            CountDownLatch sawHighest = new CountDownLatch(1);
            again.setCallback(new Collector(null, null) {
                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    int n = Integer.parseInt(new String(message.getPayload(), StandardCharsets.US_ASCII));
                    received.add(n);
                    if (n == highest) {
                        sawHighest.countDown();
                    }
                }
            });
            IMqttToken token = again.connectWithResult(persistent());
            assertThat(token.getSessionPresent()).as("session present after restart").isTrue();
            assertThat(sawHighest.await(60, TimeUnit.SECONDS)).as("the last acknowledged message (%d) arrives; got %d",
                    highest, received.size()).isTrue();
            Thread.sleep(500); // anything still on its way
            again.disconnect();
            again.close();
            return new Result(acked, new ArrayList<>(received));
        }
    }

    private static byte[] payload(int n) {
        return Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static MqttConnectOptions persistent() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(1000);
        return o;
    }

    /** What reached the subscriber against what the publisher saw acknowledged. */
    private static final class Result {
        final int acknowledged;
        final int delivered;
        final List<Integer> missing = new ArrayList<>();
        int duplicates;
        int outOfOrder;

        Result(List<Integer> acked, List<Integer> received) {
            acknowledged = acked.size();
            delivered = received.size();
            Set<Integer> seen = new java.util.HashSet<>();
            int last = 0;
            for (int n : received) {
                if (!seen.add(n)) {
                    duplicates++;
                } else if (n < last) {
                    outOfOrder++;
                } else {
                    last = n;
                }
            }
            for (int n : acked) {
                if (!seen.contains(n)) {
                    missing.add(n);
                }
            }
        }
    }

    private static class Collector implements org.eclipse.paho.client.mqttv3.MqttCallback {
        private final List<String> into;
        private final CountDownLatch latch;

        Collector(List<String> into, CountDownLatch latch) {
            this.into = into;
            this.latch = latch;
        }

        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            into.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            latch.countDown();
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
        }
    }
}
