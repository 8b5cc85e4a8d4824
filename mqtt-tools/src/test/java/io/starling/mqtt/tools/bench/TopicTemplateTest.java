package io.starling.mqtt.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicTemplateTest {
    @Test
    void percentI_isTheClientIndex() {
        assertThat(new TopicTemplate("bench/%i").expand(7, "bench-pub1-7")).isEqualTo("bench/7");
    }

    @Test
    void percentC_isTheClientId_andPercentPercent_aPercentSign() {
        assertThat(new TopicTemplate("t/%c/%i/100%%").expand(3, "abc")).isEqualTo("t/abc/3/100%");
    }

    @Test
    void topicWithoutPlaceholders_isUsedAsItIs() {
        assertThat(new TopicTemplate("bench/#").expand(1, "x")).isEqualTo("bench/#");
    }

    @Test
    void unknownPlaceholder_isRefused() {
        assertThatThrownBy(() -> new TopicTemplate("bench/%x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after % comes i, c or %");
        assertThatThrownBy(() -> new TopicTemplate("bench/%")).isInstanceOf(IllegalArgumentException.class);
    }
}
