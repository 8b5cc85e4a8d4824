package io.starling.broker.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Payload buffers a test hands to the broker, kept so that the test can check at the end that the
 * broker released every one of them.
 *
 * <p>They are unpooled direct buffers: tracked by Netty's leak detector like pooled ones, but never
 * recycled, so {@link ByteBuf#refCnt()} stays meaningful after the last release.
 */
public final class Payloads {
    private final List<ByteBuf> created = new ArrayList<>();

    /** A new buffer holding {@code text} in UTF-8, with one reference for the caller. */
    public synchronized ByteBuf of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A new buffer holding {@code bytes} as they are (e.g. invalid UTF-8), with one reference for the caller. */
    public synchronized ByteBuf of(byte[] bytes) {
        ByteBuf buf = Unpooled.directBuffer(Math.max(bytes.length, 1)).writeBytes(bytes);
        created.add(buf);
        return buf;
    }

    public synchronized List<ByteBuf> created() {
        return List.copyOf(created);
    }

    /** Every buffer made here has been released as often as it was retained. */
    public synchronized void assertAllReleased() {
        for (int i = 0; i < created.size(); i++) {
            assertThat(created.get(i).refCnt()).as("references left on payload #%d", i).isZero();
        }
    }
}
