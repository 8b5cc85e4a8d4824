package io.starling.broker.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-connection alias tables (issue 14: the outbound one is bounded by bytes, not only by count). */
class TopicAliasesTest {

    @Test
    void outboundAliases_stopBeingAssignedOnceTheirTopicsFillTheBudget_evenBelowTheClientsMaximum() {
        TopicAliases aliases = new TopicAliases(10, 65535);
        String padding = "x".repeat(1000);
        int assigned = 0;
        for (int i = 0; i < 1000; i++) {
            if (aliases.outbound("t/" + i + "/" + padding) > 0) {
                assigned++;
            }
        }
        assertThat(assigned).isBetween(60, TopicAliases.OUTBOUND_TOPIC_CHARS / 1000);
        assertThat(aliases.outbound("t/0/" + padding)).as("an assigned alias is still used").isEqualTo(-1);
        assertThat(aliases.outbound("z".repeat(300))).as("past the budget a topic goes whole").isZero();
    }

    @Test
    void unassigningTheNewestAlias_givesItsBytesBack() {
        TopicAliases aliases = new TopicAliases(10, 65535);
        String big = "y".repeat(TopicAliases.OUTBOUND_TOPIC_CHARS);
        assertThat(aliases.outbound(big)).isEqualTo(1);
        assertThat(aliases.outbound("a")).isZero();
        aliases.unassignOutbound(big);
        assertThat(aliases.outbound("a")).isEqualTo(1);
    }
}
