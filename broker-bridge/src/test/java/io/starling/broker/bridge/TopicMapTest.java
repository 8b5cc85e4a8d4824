package io.starling.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BridgeTopic;
import io.starling.broker.config.BridgeTopic.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mosquitto's remapping: the examples of issue 18 and of mosquitto's own bridge remapping tests. */
class TopicMapTest {

    @Test
    void prefixesAreSwappedAsPlainStrings_inbound() {
        TopicMap map = new TopicMap(List.of(
                new BridgeTopic("#", Direction.IN, 0, "local/topic/", "remote/topic/"),
                new BridgeTopic("ic/+", Direction.IN, 0, "local4/top", "remote4/tip"),
                new BridgeTopic("clients/total", Direction.IN, 0, "test/mosquitto/org", "$SYS/broker/")));
        assertThat(map.toLocal("remote/topic/some/thing")).isEqualTo("local/topic/some/thing");
        assertThat(map.toLocal("remote4/tipic/something")).isEqualTo("local4/topic/something");
        assertThat(map.toLocal("$SYS/broker/clients/total")).isEqualTo("test/mosquitto/orgclients/total");
        assertThat(map.toLocal("elsewhere/x")).isEqualTo("elsewhere/x");
    }

    @Test
    void prefixesAreSwappedAsPlainStrings_outbound() {
        TopicMap map = new TopicMap(List.of(
                new BridgeTopic("sensors/#", Direction.OUT, 1, null, "site1/"),
                new BridgeTopic("cmd/#", Direction.BOTH, 1, "edge/", "cloud/")));
        assertThat(map.toRemote("sensors/t1")).isEqualTo("site1/sensors/t1");
        assertThat(map.toRemote("edge/cmd/reboot")).isEqualTo("cloud/cmd/reboot");
        assertThat(map.toLocal("cloud/cmd/reboot")).isEqualTo("edge/cmd/reboot");
        assertThat(map.toLocal("site1/sensors/t1")).isEqualTo("site1/sensors/t1"); // an out line does not map in
    }

    @Test
    void theFirstMatchingLineWithAPrefixWins_andLinesWithoutPrefixAreSkipped() {
        TopicMap map = new TopicMap(List.of(
                new BridgeTopic("a/#", Direction.IN, 0, null, null),
                new BridgeTopic("a/#", Direction.IN, 0, "first/", null),
                new BridgeTopic("a/b", Direction.IN, 0, "second/", null)));
        assertThat(map.toLocal("a/b")).isEqualTo("first/a/b");
    }

    @Test
    void emptyPattern_mapsOneTopicToAnother() {
        TopicMap map = new TopicMap(List.of(new BridgeTopic(null, Direction.BOTH, 2, "loc/x", "rem/y")));
        assertThat(map.toLocal("rem/y")).isEqualTo("loc/x");
        assertThat(map.toRemote("loc/x")).isEqualTo("rem/y");
    }
}
