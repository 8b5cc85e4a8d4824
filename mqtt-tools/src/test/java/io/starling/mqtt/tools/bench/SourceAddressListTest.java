package io.starling.mqtt.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SourceAddressListTest {
    private static String text(String spec) {
        return SourceAddressList.parse(spec).stream().map(InetAddress::getHostAddress).toList().toString();
    }

    @Test
    void list_andRanges_areExpandedInOrder() {
        assertThat(text("127.0.0.2,127.0.0.3")).isEqualTo("[127.0.0.2, 127.0.0.3]");
        assertThat(text("127.0.0.2-127.0.0.4,127.0.1.9")).isEqualTo("[127.0.0.2, 127.0.0.3, 127.0.0.4, 127.0.1.9]");
        assertThat(text("127.0.0.254-127.0.1.1")).isEqualTo("[127.0.0.254, 127.0.0.255, 127.0.1.0, 127.0.1.1]");
    }

    @Test
    void rangeEnd_mayBeTheLastOctetOnly() {
        assertThat(text("127.0.0.8-10")).isEqualTo("[127.0.0.8, 127.0.0.9, 127.0.0.10]");
    }

    @Test
    void none_isEmpty() {
        assertThat(SourceAddressList.parse(null)).isEmpty();
        assertThat(SourceAddressList.parse(" ")).isEmpty();
    }

    @Test
    void hostNames_andBackwardRanges_areRefused() {
        assertThatThrownBy(() -> SourceAddressList.parse("localhost")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> SourceAddressList.parse("127.0.0.9-127.0.0.2")).hasMessageContaining("bad range");
        assertThatThrownBy(() -> SourceAddressList.parse("127.0.0.9-300")).hasMessageContaining("bad range end");
    }
}
