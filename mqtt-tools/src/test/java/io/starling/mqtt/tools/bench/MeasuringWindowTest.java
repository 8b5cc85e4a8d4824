package io.starling.mqtt.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasuringWindowTest {
    private static final long T = 1_764_000_000_000L; // Unix ms

    @TempDir
    Path dir;

    @Test
    void beforeTheMarkerExists_nothingIsTimed_thenOnlyMessagesStampedFromItsTime() throws Exception {
        Subscriber subscriber = new Subscriber(new Meter(1, false, true), 0, true);
        MeasuringWindow window = new MeasuringWindow(dir.resolve("window"));
        Subscriber[] all = {subscriber};

        subscriber.onMessage(null, stamped(T * 1_000_000 + 5_000_000));
        window.openWhenMarked(all);
        assertThat(subscriber.latencyMicros.getTotalCount()).isZero();

        Files.writeString(dir.resolve("window"), T + "\n", StandardCharsets.US_ASCII);
        window.openWhenMarked(all);
        subscriber.onMessage(null, stamped(T * 1_000_000 - 1));
        subscriber.onMessage(null, stamped(T * 1_000_000));
        subscriber.onMessage(null, stamped(T * 1_000_000 + 1_000));

        assertThat(subscriber.latencyMicros.getTotalCount()).isEqualTo(2);
        assertThat(subscriber.received).isEqualTo(4);
    }

    @Test
    void withoutAWindow_everyStampedMessageIsTimed() {
        Subscriber subscriber = new Subscriber(new Meter(1, false, true), 0, false);
        new MeasuringWindow(null).openWhenMarked(new Subscriber[] {subscriber});
        subscriber.onMessage(null, stamped(1));
        assertThat(subscriber.latencyMicros.getTotalCount()).isEqualTo(1);
    }

    @Test
    void aHalfWrittenMarker_isReadAgainLater() throws Exception {
        Path marker = dir.resolve("window");
        Files.writeString(marker, "");
        assertThat(MeasuringWindow.read(marker)).isNull();
        Files.writeString(marker, "17640");
        assertThat(MeasuringWindow.read(marker)).isEqualTo(17640L);
    }

    private static Publish stamped(long sentAtEpochNanos) {
        ByteBuf payload = Unpooled.buffer();
        PayloadStamp.write(payload, sentAtEpochNanos, 1, 1, 1);
        payload.writeZero(40);
        return new Publish(false, QoS.AT_MOST_ONCE, false, "t", 0, Properties.EMPTY, payload);
    }
}
