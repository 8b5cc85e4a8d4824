package io.starling.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A kept message does not keep the read buffer its payload was cut from. */
class MessageCompactionTest {

    private static Message message(ByteBuf payload) {
        Message m = new Message("t", QoS.AT_LEAST_ONCE, true, payload, Properties.EMPTY, "pub", Message.NEVER_EXPIRES);
        m.setStoreId(42);
        return m;
    }

    @Test
    void aSmallSliceOfALargeReadBuffer_isCopiedAndTheBufferLetGo() {
        ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(65_536).writeZero(100)
                .writeBytes("x".getBytes(StandardCharsets.UTF_8)).writeZero(60_000);
        Message sliced = message(read.retainedSlice(100, 1));
        read.release();

        Message kept = sliced.compacted();

        assertThat(kept).isNotSameAs(sliced);
        assertThat(read.refCnt()).as("the read buffer").isZero();
        assertThat(kept.payload().toString(StandardCharsets.UTF_8)).isEqualTo("x");
        assertThat(kept.payload().capacity()).isLessThan(1024);
        assertThat(kept.storeId()).isEqualTo(42);
        assertThat(kept.topic()).isEqualTo("t");
        kept.release();
    }

    @Test
    void aPayloadThatIsMostOfItsBuffer_isKeptAsItIs() {
        ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(4096).writeZero(4000);
        Message most = message(read.retainedSlice(10, 3900));
        read.release();

        assertThat(most.compacted()).isSameAs(most);
        most.release();
        assertThat(read.refCnt()).isZero();
    }
}
