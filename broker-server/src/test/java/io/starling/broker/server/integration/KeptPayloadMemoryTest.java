package io.starling.broker.server.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Messages the broker keeps (retained, queued for an offline session) hold about their own payload,
 * not the socket read buffer their payload was cut from: 5,000 one-byte retained messages once held
 * ~616 MB while $SYS said 5 KB. Each write here carries a large PUBLISH nobody receives and a one-byte
 * one that is kept, so every kept payload is a slice of a read buffer of tens of kilobytes.
 */
class KeptPayloadMemoryTest {
    @RegisterExtension
    static final RunningBroker broker = new RunningBroker();

    private static final int MESSAGES = 1_000;
    private static final int FILLER_BYTES = 60_000;
    /** Allowed growth of the pooled memory: what 1,000 read buffers pinned was above 60 MB. */
    private static final long BOUND_BYTES = 16L << 20;

    private static long pooledBytesInUse() {
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    /** One write: a large QoS 0 PUBLISH to a topic without subscribers, then the small one to keep. */
    private static byte[] fillerAnd(Publish kept) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RawMqttClient.encode(new Publish(false, QoS.AT_MOST_ONCE, false, "nobody/listens", 0,
                Properties.EMPTY, Unpooled.wrappedBuffer(new byte[FILLER_BYTES])), MqttVersion.MQTT_3_1_1));
        out.writeBytes(RawMqttClient.encode(kept, MqttVersion.MQTT_3_1_1));
        return out.toByteArray();
    }

    /**
     * The retained messages under {@code filter}: counted by topic, not by the store's size, which the
     * broker's own $SYS topics change while the test runs (a size compared for equality failed in CI).
     */
    private static int retainedUnder(String filter) {
        int[] n = {0};
        broker.core().retained().match(filter, m -> {
            n[0]++;
            m.release();
            return true;
        });
        return n[0];
    }

    private static void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waited too long").isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void retainedMessagesCutFromLargeReads_holdAboutTheirPayloads() throws Exception {
        long before = pooledBytesInUse();
        try (RawMqttClient pub = RawMqttClient.open(broker.port())) {
            pub.connect("big-reader-retained", true, 60);
            for (int i = 0; i < MESSAGES; i++) {
                pub.send(fillerAnd(new Publish(false, QoS.AT_MOST_ONCE, true, "kept/r/" + i, 0,
                        Properties.EMPTY, Unpooled.wrappedBuffer(new byte[] {'x'}))));
            }
            await(() -> retainedUnder("kept/r/#") >= MESSAGES);
            pub.disconnect();
        }
        long grown = pooledBytesInUse() - before;
        try (RawMqttClient clean = RawMqttClient.open(broker.port())) {
            clean.connect("big-reader-cleaner", true, 60);
            for (int i = 0; i < MESSAGES; i++) {
                clean.send(new Publish(false, QoS.AT_MOST_ONCE, true, "kept/r/" + i, 0, Properties.EMPTY,
                        Unpooled.EMPTY_BUFFER));
            }
            await(() -> retainedUnder("kept/r/#") == 0);
            clean.disconnect();
        }

        assertThat(grown).as("pooled bytes in use after %d one-byte retained messages", MESSAGES)
                .isLessThan(BOUND_BYTES);
    }

    @Test
    void messagesQueuedForAnOfflineSession_holdAboutTheirPayloads() throws Exception {
        try (RawMqttClient sub = RawMqttClient.open(broker.port())) {
            sub.connect("big-reader-offline", false, 60);
            sub.subscribe(1, "kept/q/#", QoS.AT_LEAST_ONCE);
            sub.disconnect();
        }
        long before = pooledBytesInUse();
        try (RawMqttClient pub = RawMqttClient.open(broker.port())) {
            pub.connect("big-reader-queued", true, 60);
            for (int i = 0; i < MESSAGES; i++) {
                pub.send(fillerAnd(new Publish(false, QoS.AT_LEAST_ONCE, false, "kept/q/" + i, i + 1,
                        Properties.EMPTY, Unpooled.wrappedBuffer(new byte[] {'x'}))));
            }
            for (int i = 0; i < MESSAGES; i++) {
                pub.receive(io.starling.mqtt.codec.PubAck.class, Duration.ofSeconds(20));
            }
            pub.disconnect();
        }
        long grown = pooledBytesInUse() - before;
        try (RawMqttClient sub = RawMqttClient.open(broker.port())) {
            sub.connect("big-reader-offline", true, 60); // a clean start drops the queue
            sub.disconnect();
        }

        assertThat(grown).as("pooled bytes in use with %d one-byte messages queued", MESSAGES)
                .isLessThan(BOUND_BYTES);
    }
}
