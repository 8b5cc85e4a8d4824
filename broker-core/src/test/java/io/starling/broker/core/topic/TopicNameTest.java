package io.starling.broker.core.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicNameTest {

    private static final int MAX_LEVELS = 10;

    @Test
    void plainTopics_areValid() {
        assertThat(TopicName.invalidReason("a", MAX_LEVELS)).isNull();
        assertThat(TopicName.invalidReason("a/b/c", MAX_LEVELS)).isNull();
        assertThat(TopicName.invalidReason("$SYS/broker/uptime", MAX_LEVELS)).isNull();
    }

    @Test
    void emptyLevels_areValid() {
        assertThat(TopicName.invalidReason("/", MAX_LEVELS)).isNull();
        assertThat(TopicName.invalidReason("a//b", MAX_LEVELS)).isNull();
        assertThat(TopicName.invalidReason("/a/", MAX_LEVELS)).isNull();
    }

    @Test
    void emptyTopic_isInvalid() {
        assertThat(TopicName.invalidReason("", MAX_LEVELS)).contains("empty");
    }

    @Test
    void wildcards_areInvalidInTopicNames() {
        assertThat(TopicName.invalidReason("a/+", MAX_LEVELS)).contains("+");
        assertThat(TopicName.invalidReason("#", MAX_LEVELS)).contains("#");
        assertThat(TopicName.invalidReason("a/b#", MAX_LEVELS)).contains("#");
        assertThat(TopicName.invalidReason("sport+", MAX_LEVELS)).contains("+");
    }

    @Test
    void nulCharacter_isInvalid() {
        assertThat(TopicName.invalidReason("a/\u0000b", MAX_LEVELS)).contains("U+0000");
    }

    @Test
    void levelCount_isSlashesPlusOne_andCapped() {
        assertThat(TopicName.invalidReason("a/b/c", 3)).isNull();
        assertThat(TopicName.invalidReason("a/b/c/d", 3)).contains("3");
        assertThat(TopicName.invalidReason("///", 3)).isNotNull();
        assertThat(TopicName.invalidReason("//", 3)).isNull();
    }

    @Test
    void isSystem_isTrueOnlyForLeadingDollar() {
        assertThat(TopicName.isSystem("$SYS/x")).isTrue();
        assertThat(TopicName.isSystem("$")).isTrue();
        assertThat(TopicName.isSystem("a/$SYS")).isFalse();
        assertThat(TopicName.isSystem("")).isFalse();
    }
}
