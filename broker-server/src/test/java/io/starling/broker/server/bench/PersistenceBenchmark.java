package io.starling.broker.server.bench;

import static io.starling.broker.testkit.FreePorts.freePort;
import io.netty.buffer.Unpooled;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.time.Clock;
import io.starling.broker.server.Broker;
import io.starling.broker.store.rocksdb.RocksSessionStore;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * What persistence costs (issue 5), run by {@code bench/persistence}; not a test. Two measurements:
 * <ol>
 *   <li>QoS 1 throughput with persistence off and on: publishers with a window of unacknowledged
 *   messages each, through an in-process broker, to one persistent QoS 1 subscriber (so every message
 *   is stored, then deleted when the subscriber acknowledges it);</li>
 *   <li>start-up time of a broker whose store holds many retained messages and stored sessions.</li>
 * </ol>
 * Clients and broker share one JVM and the machine's cores: the figures compare the two modes with
 * each other, not with other brokers (that is {@code bench/compare}).
 */
public final class PersistenceBenchmark {
    private static final int PUBLISHERS = 4;
    private static final int WINDOW = 64;

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int retained = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        Path dir = Files.createTempDirectory("starling-bench");
        try {
            throughput(dir.resolve("warmup"), false, messages / 4);
            throughput(dir.resolve("warmup-p"), true, messages / 4);
            double off = throughput(dir.resolve("off"), false, messages);
            double on = throughput(dir.resolve("on"), true, messages);
            System.out.printf("QoS 1, %d publishers x window %d, %d messages of 64 bytes to 1 persistent subscriber:%n",
                    PUBLISHERS, WINDOW, messages);
            System.out.printf("  persistence false: %,.0f msg/s%n  persistence true:  %,.0f msg/s (%.2fx)%n",
                    off, on, on / off);
            startup(dir.resolve("big"), retained, sessions);
        } finally {
            deleteTree(dir);
        }
    }

    /** Messages per second from the first publish to the subscriber's last arrival. */
    private static double throughput(Path dir, boolean persistence, int messages) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                + "persistence " + persistence + "\npersistence_location " + dir + "\n");
        try (Broker broker = Broker.start(ConfigFile.read(conf))) {
            String url = "tcp://127.0.0.1:" + port;
            CountDownLatch all = new CountDownLatch(messages);
            MqttAsyncClient sub = new MqttAsyncClient(url, "bench-sub", new MemoryPersistence());
            sub.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    all.countDown();
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions persistent = new MqttConnectOptions();
            persistent.setCleanSession(false);
            persistent.setMaxInflight(1000);
            sub.connect(persistent).waitForCompletion();
            sub.subscribe("bench/#", 1).waitForCompletion();
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (int p = 0; p < PUBLISHERS; p++) {
                int count = messages / PUBLISHERS + (p < messages % PUBLISHERS ? 1 : 0);
                MqttAsyncClient pub = new MqttAsyncClient(url, "bench-pub-" + p, new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setMaxInflight(WINDOW);
                pub.connect(o).waitForCompletion();
                String topic = "bench/" + p;
                Thread t = new Thread(() -> publish(pub, topic, count));
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!all.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException(all.getCount() + " messages did not arrive");
            }
            long nanos = System.nanoTime() - start;
            sub.disconnect().waitForCompletion();
            sub.close();
            if (broker.core().store() instanceof RocksSessionStore rocks && messages >= 100_000) {
                long syncs = rocks.groupCommit().syncCount();
                System.out.printf("  (persistence true: %,d WAL syncs, %.1f messages per sync, mean sync %.2f ms)%n",
                        syncs, messages / (double) Math.max(1, syncs),
                        rocks.groupCommit().totalSyncNanos() / 1e6 / Math.max(1, syncs));
            }
            return messages / (nanos / 1e9);
        }
    }

    private static void publish(MqttAsyncClient pub, String topic, int count) {
        Semaphore window = new Semaphore(WINDOW);
        byte[] payload = new byte[64];
        IMqttActionListener release = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                window.release();
            }
        };
        try {
            for (int i = 0; i < count; i++) {
                window.acquire();
                pub.publish(topic, payload, 1, false, null, release);
            }
            window.acquire(WINDOW); // every one acknowledged
            pub.disconnect().waitForCompletion();
            pub.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fills a store directly, then times a broker's start on it (open, load, restore, listen). */
    private static void startup(Path dir, int retained, int sessions) throws Exception {
        Path data = dir.resolve("mosquitto.db");
        Files.createDirectories(dir);
        long fill = System.nanoTime();
        try (RocksSessionStore store = RocksSessionStore.open(data, Clock.SYSTEM)) {
            byte[] payload = new byte[64];
            for (int i = 0; i < retained; i++) {
                Message m = new Message("sensors/" + (i / 1000) + "/" + i, QoS.AT_LEAST_ONCE, true,
                        Unpooled.wrappedBuffer(payload), Properties.EMPTY, "filler", Message.NEVER_EXPIRES);
                store.saveRetained(m);
            }
            SubscriberOptions options = new SubscriberOptions(new SubscriptionOptions(QoS.AT_LEAST_ONCE, false, false, 0), 0);
            for (int i = 0; i < sessions; i++) {
                String id = "device-" + i;
                store.saveSession(new StoredSession(id, null, 0xFFFF_FFFFL, System.currentTimeMillis()));
                store.saveSubscription(id, "devices/" + i + "/cmd", options);
                Message m = new Message("devices/" + i + "/cmd", QoS.AT_LEAST_ONCE, false,
                        Unpooled.wrappedBuffer(payload), Properties.EMPTY, "filler", Message.NEVER_EXPIRES);
                store.saveOutgoing(id, 1, new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()));
            }
        }
        System.out.printf("Filled a store with %,d retained messages and %,d sessions (1 subscription, 1 queued message each)"
                + " in %.1f s; %,d MiB on disk.%n", retained, sessions, (System.nanoTime() - fill) / 1e9, sizeOf(data) >> 20);
        int port = freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\npersistence true\npersistence_location " + dir + "\n");
        long start = System.nanoTime();
        try (Broker broker = Broker.start(ConfigFile.read(conf))) {
            double seconds = (System.nanoTime() - start) / 1e9;
            Runtime rt = Runtime.getRuntime();
            System.gc();
            System.out.printf("Start-up on that store: %.2f s to listening; %d sessions, %d retained; heap used %,d MiB.%n",
                    seconds, broker.core().sessions().size(), broker.core().retained().size(),
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

}
