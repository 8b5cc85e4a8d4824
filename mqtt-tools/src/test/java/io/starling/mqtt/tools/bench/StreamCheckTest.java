package io.starling.mqtt.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamCheckTest {
    private final StreamCheck check = new StreamCheck();

    private void receive(long stream, int... sequences) {
        for (int s : sequences) {
            check.record(stream, s);
        }
    }

    @Test
    void streamInOrder_hasNoLossDuplicateOrReorder() {
        receive(1, 0, 1, 2, 3, 4);
        assertThat(new long[] {check.lost(), check.duplicates(), check.reordered()}).containsExactly(0, 0, 0);
        assertThat(check.streams()).isEqualTo(1);
    }

    @Test
    void gap_countsTheMissingMessagesAsLost() {
        receive(1, 0, 1, 4, 5);
        assertThat(check.lost()).isEqualTo(2);
    }

    @Test
    void firstMessagesMissing_areLost() {
        receive(1, 3, 4);
        assertThat(check.lost()).isEqualTo(3);
    }

    @Test
    void lateMessage_isReorderedAndNoLongerLost() {
        receive(1, 0, 2, 1, 3);
        assertThat(check.reordered()).isEqualTo(1);
        assertThat(check.lost()).isZero();
        assertThat(check.duplicates()).isZero();
    }

    @Test
    void sameSequenceTwice_isADuplicate() {
        receive(1, 0, 1, 1, 2, 0);
        assertThat(check.duplicates()).isEqualTo(2);
        assertThat(check.lost()).isZero();
        assertThat(check.reordered()).isZero();
    }

    @Test
    void streams_areCheckedApart_evenWhenTheyShareAPublisherIndex() {
        long runA = 1L << 32 | 1;
        long runB = 2L << 32 | 1;
        long other = 1L << 32 | 65; // same slot of the recent-stream cache as runA
        receive(runA, 0, 1);
        receive(runB, 0);
        receive(other, 0, 1);
        receive(runA, 2);
        receive(runB, 1, 2);
        assertThat(check.streams()).isEqualTo(3);
        assertThat(new long[] {check.lost(), check.duplicates(), check.reordered()}).containsExactly(0, 0, 0);
    }
}
