package io.starling.broker.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicFilterTest {

    private static final int MAX_LEVELS = 10;

    private static String reason(String filter) {
        return TopicFilter.invalidReason(filter, MAX_LEVELS);
    }

    @Test
    void wellFormedFilters_areValid() {
        assertThat(reason("a/b")).isNull();
        assertThat(reason("#")).isNull();
        assertThat(reason("+")).isNull();
        assertThat(reason("a/#")).isNull();
        assertThat(reason("+/+/#")).isNull();
        assertThat(reason("a/+/b")).isNull();
        assertThat(reason("/+")).isNull();
        assertThat(reason("+/")).isNull();
        assertThat(reason("a//b")).isNull();
        assertThat(reason("$SYS/#")).isNull();
    }

    @Test
    void emptyFilter_isInvalid() {
        assertThat(reason("")).contains("empty");
    }

    @Test
    void hashNotLast_isInvalid() {
        assertThat(reason("a/#/b")).contains("#");
        assertThat(reason("#/")).contains("#");
    }

    @Test
    void hashSharingItsLevel_isInvalid() {
        assertThat(reason("#a")).contains("#");
        assertThat(reason("a#")).contains("#");
        assertThat(reason("a/b#")).contains("#");
        assertThat(reason("##")).contains("#");
    }

    @Test
    void plusSharingItsLevel_isInvalid() {
        assertThat(reason("a+")).contains("+");
        assertThat(reason("+a")).contains("+");
        assertThat(reason("a/+b")).contains("+");
        assertThat(reason("a/b+/c")).contains("+");
        assertThat(reason("++")).contains("+");
    }

    @Test
    void nulCharacter_isInvalid() {
        assertThat(reason("a/\u0000")).contains("U+0000");
    }

    @Test
    void tooManyLevels_isInvalid() {
        assertThat(TopicFilter.invalidReason("a/b/#", 3)).isNull();
        assertThat(TopicFilter.invalidReason("a/b/c/#", 3)).contains("3");
    }

    @Test
    void parseShared_splitsGroupAndFilter() {
        assertThat(TopicFilter.parseShared("$share/g1/a/+/#"))
                .isEqualTo(new TopicFilter.Shared("g1", "a/+/#"));
        assertThat(TopicFilter.parseShared("$share/g/$SYS/x"))
                .isEqualTo(new TopicFilter.Shared("g", "$SYS/x"));
    }

    @Test
    void parseShared_returnsNullForNonSharedFilters() {
        assertThat(TopicFilter.parseShared("a/b")).isNull();
        assertThat(TopicFilter.parseShared("$share")).isNull();
        assertThat(TopicFilter.parseShared("$SYS/share/x")).isNull();
        assertThat(TopicFilter.invalidSharedReason("a/#")).isNull();
        assertThat(TopicFilter.isShared("$sharex/g/a")).isFalse();
    }

    @Test
    void sharedWithoutFilter_isInvalid() {
        assertThat(TopicFilter.invalidSharedReason("$share/g")).contains("without a topic filter");
        assertThat(TopicFilter.invalidSharedReason("$share/g/")).contains("without a topic filter");
        assertThatThrownBy(() -> TopicFilter.parseShared("$share/g/"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sharedWithBadGroup_isInvalid() {
        assertThat(TopicFilter.invalidSharedReason("$share//a")).contains("empty share name");
        assertThat(TopicFilter.invalidSharedReason("$share/")).contains("empty share name");
        assertThat(TopicFilter.invalidSharedReason("$share/g+/a")).contains("+");
        assertThat(TopicFilter.invalidSharedReason("$share/#/a")).contains("#");
        assertThat(TopicFilter.invalidSharedReason("$share/+")).contains("+");
        assertThatThrownBy(() -> TopicFilter.parseShared("$share/g#/a"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sharedRecord_validatesInConstructor() {
        assertThatThrownBy(() -> new TopicFilter.Shared("a/b", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicFilter.Shared("g", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sharedInnerFilter_isValidatedSeparately() {
        TopicFilter.Shared shared = TopicFilter.parseShared("$share/g/a/#/b");
        assertThat(TopicFilter.invalidSharedReason("$share/g/a/#/b")).isNull();
        assertThat(TopicFilter.invalidReason(shared.filter(), MAX_LEVELS)).contains("#");
    }
}
