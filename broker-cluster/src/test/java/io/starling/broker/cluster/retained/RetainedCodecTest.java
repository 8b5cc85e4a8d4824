package io.starling.broker.cluster.retained;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakReports.class)
class RetainedCodecTest {

    /** A node's clock: its own monotonic origin, the same wall clock. */
    private record NodeClock(long originNanos, long wallMillis) implements Clock {
        @Override
        public long nanoTime() {
            return originNanos;
        }

        @Override
        public long currentTimeMillis() {
            return wallMillis;
        }
    }

    @Test
    void aMessageRoundTrips_andItsExpiryBecomesTheSameWallClockMomentOnAnotherNodesClock() throws Exception {
        Clock writer = new NodeClock(5_000_000_000L, 1_700_000_000_000L);
        Clock reader = new NodeClock(-77_000_000_000L, 1_700_000_000_000L);
        Properties properties = Properties.builder().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 30)
                .user("k", "v").build();
        Message sent = new Message("a/b", QoS.EXACTLY_ONCE, true,
                PooledByteBufAllocator.DEFAULT.buffer().writeBytes("hello".getBytes(StandardCharsets.UTF_8)),
                properties, "pub", null, Message.NO_LISTENER, writer.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        new RetainedCodec(writer, PooledByteBufAllocator.DEFAULT).write(sent, new DataOutputStream(bytes));
        sent.release();
        Message read = new RetainedCodec(reader, PooledByteBufAllocator.DEFAULT)
                .read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        try {
            assertThat(read.topic()).isEqualTo("a/b");
            assertThat(read.qos()).isEqualTo(QoS.EXACTLY_ONCE);
            assertThat(read.payload().toString(StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(read.properties()).isEqualTo(properties);
            assertThat(read.publisherId()).isEqualTo("pub");
            assertThat(read.publisherUsername()).isNull();
            assertThat(read.publisherListener()).isEqualTo(Message.NO_LISTENER);
            assertThat(read.expiryAtNanos()).isEqualTo(reader.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        } finally {
            read.release();
        }
    }

    @Test
    void aMessageThatNeverExpires_neverExpiresOnTheReader() throws Exception {
        Message sent = new Message("t", QoS.AT_MOST_ONCE, true, Unpooled.wrappedBuffer(new byte[] {1}),
                Properties.EMPTY, "", Message.NEVER_EXPIRES);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RetainedCodec codec = new RetainedCodec(Clock.SYSTEM, PooledByteBufAllocator.DEFAULT);

        codec.write(sent, new DataOutputStream(bytes));
        Message read = codec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(read.expiryAtNanos()).isEqualTo(Message.NEVER_EXPIRES);
        read.release();
    }
}
