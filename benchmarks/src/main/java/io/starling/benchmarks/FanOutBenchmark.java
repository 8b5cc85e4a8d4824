package io.starling.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.protocol.Connection;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The broker's own work for one PUBLISH at QoS 0: from the decoded packet through routing to every
 * subscriber's encoded PUBLISH, on one event loop, without sockets (each subscriber's connection
 * encodes what it is given and drops it). Reported per published message; divide by
 * {@code subscribers} for the cost per delivery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanOutBenchmark {
    private static final int BATCH = 1000;

    @Param({"1", "50"})
    public int subscribers;

    private DefaultEventExecutor loop;
    private LoopOutbox outbox;
    private Client publisher;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = new DefaultEventExecutor();
        outbox = new LoopOutbox(loop);
        BrokerCore core = new BrokerCore(BrokerSettings.defaults());
        loop.submit(() -> {
            for (int i = 0; i < subscribers; i++) {
                Client sub = new Client(core, new SinkConnection(), outbox);
                sub.onPacket(connect("sub-" + i));
                sub.onPacket(new Subscribe(1, List.of(new Subscription("sensors/+/temperature",
                        SubscriptionOptions.of(QoS.AT_MOST_ONCE))), Properties.EMPTY));
            }
            publisher = new Client(core, new SinkConnection(), outbox);
            publisher.onPacket(connect("pub"));
            outbox.flushPending();
        }).sync();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.shutdownGracefully();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void publishQos0() throws Exception {
        loop.submit(() -> {
            for (int i = 0; i < BATCH; i++) {
                ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(64).writeZero(64);
                publisher.onPacket(new Publish(false, QoS.AT_MOST_ONCE, false, "sensors/kitchen/temperature", 0,
                        Properties.EMPTY, payload));
            }
            outbox.flushPending();
        }).sync();
    }

    private static Connect connect(String clientId) {
        return new Connect(MqttVersion.MQTT_3_1_1, clientId, true, 60, null, null, null, Properties.EMPTY);
    }

    /** A connection that encodes what it is given, as the TCP one does, and drops the bytes. */
    private static final class SinkConnection implements Connection {
        private MqttVersion version = MqttVersion.MQTT_3_1_1;
        private final List<ByteBuf> pending = new ArrayList<>();

        @Override
        public void write(Packet packet) {
            if (packet instanceof Publish p && p.payload().isReadable()) { // as the TCP transport writes it
                pending.add(MqttEncoder.encodePublishHeader(PooledByteBufAllocator.DEFAULT, p, version));
                pending.add(p.payload().retainedDuplicate());
                return;
            }
            pending.add(MqttEncoder.encode(PooledByteBufAllocator.DEFAULT, packet, version));
        }

        @Override
        public void flush() {
            pending.forEach(ByteBuf::release);
            pending.clear();
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void close() {
            flush();
        }

        @Override
        public String remoteAddress() {
            return "127.0.0.1:1";
        }

        @Override
        public int localPort() {
            return 1883;
        }

        @Override
        public void setProtocolVersion(MqttVersion version) {
            this.version = version;
        }

        @Override
        public void setReadTimeout(long millis) {
        }

        @Override
        public void setReading(boolean reading) {
        }
    }
}
