package io.starling.mqtt.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FileLimitsTest {
    @Test
    void openFilesLimit_tooLow_isExplained() {
        assertThat(FileLimits.check(10_000, new long[] {1024, 20000}))
                .isEqualTo("Error: 10000 connections need about 10100 open files, but ulimit -n is 1024 (hard limit 20000)."
                        + " Raise it first, e.g. ulimit -n 20000.");
        assertThat(FileLimits.check(10_000, new long[] {20000, 20000})).isNull();
        assertThat(FileLimits.check(10_000, null)).isNull();
    }

    @Test
    void openFilesLimit_isReadFromProc() {
        long[] limits = FileLimits.openFiles();
        if (limits != null) {
            assertThat(limits[0]).isPositive().isLessThanOrEqualTo(limits[1]);
        }
    }
}
