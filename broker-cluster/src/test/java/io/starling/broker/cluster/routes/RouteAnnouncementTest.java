package io.starling.broker.cluster.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteAnnouncementTest {

    @Test
    void encodeThenDecode_givesTheSameAnnouncement() throws Exception {
        String long4ByteChars = "\uD83D\uDE00".repeat(20000); // 80,000 UTF-8 bytes: past writeUTF's limit
        RouteAnnouncement a = new RouteAnnouncement(true, Map.of("a/+/b", 3, "#", 1, "$SYS/x", 2, long4ByteChars, 1));

        assertThat(RouteAnnouncement.decode(a.encode())).isEqualTo(a);
        RouteAnnouncement delta = new RouteAnnouncement(false, Map.of("gone", 0, "$share/g/a/#", 2));
        assertThat(RouteAnnouncement.decode(delta.encode())).isEqualTo(delta);
    }

    @Test
    void truncatedOrOtherVersion_isRefused() {
        byte[] bytes = new RouteAnnouncement(true, Map.of("a", 1)).encode();

        assertThatThrownBy(() -> RouteAnnouncement.decode(Arrays.copyOf(bytes, bytes.length - 1))).isInstanceOf(IOException.class);
        bytes[0] = 1; // before groups were announced as groups
        assertThatThrownBy(() -> RouteAnnouncement.decode(bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("version 1");
    }
}
