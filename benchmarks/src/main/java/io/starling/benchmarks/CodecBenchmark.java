package io.starling.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The PUBLISH path through the codec: decoding one packet from a read buffer, and encoding one for a
 * subscriber, with a 64-byte payload as in the fan-in benchmark of issue 8.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    @Param({"MQTT_3_1_1", "MQTT_5"})
    public MqttVersion version;

    @Param({"AT_MOST_ONCE", "AT_LEAST_ONCE"})
    public QoS qos;

    private ByteBuf wire;
    private MqttDecoder decoder;
    private Publish publish;

    @Setup(Level.Trial)
    public void setUp() {
        publish = new Publish(false, qos, false, "sensors/building-7/floor-3/temperature", qos == QoS.AT_MOST_ONCE ? 0 : 42,
                Properties.EMPTY, Unpooled.unreleasableBuffer(Unpooled.directBuffer(64).writeZero(64)));
        ByteBuf encoded = MqttEncoder.encode(PooledByteBufAllocator.DEFAULT, publish, version);
        wire = Unpooled.directBuffer(encoded.readableBytes()).writeBytes(encoded);
        encoded.release();
        decoder = new MqttDecoder(1 << 20);
        decoder.setVersion(version);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        wire.release();
    }

    @Benchmark
    public Object decodePublish() {
        wire.readerIndex(0);
        DecodeResult r = decoder.decode(wire);
        ((Publish) r).release();
        return r;
    }

    @Benchmark
    public int encodePublish() {
        ByteBuf out = MqttEncoder.encode(PooledByteBufAllocator.DEFAULT, publish, version);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
