package io.starling.mqtt.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
    @Test
    void latency_givesPercentilesInMicroseconds_asALineAndAsValues() {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i);
        }
        Report report = new Report("sub").latency(h);

        assertThat(report.get("latency_p50_us")).isEqualTo("500");
        assertThat(report.get("latency_p90_us")).isEqualTo("900");
        assertThat(report.get("latency_p99_us")).isEqualTo("990");
        assertThat(report.get("latency_p999_us")).isEqualTo("999");
        assertThat(report.get("latency_max_us")).isEqualTo("1000");
        assertThat(Report.latencyLine(h))
                .isEqualTo("latency µs: p50 500  p90 900  p99 990  p99.9 999  max 1,000  (1,000 messages)");
    }

    @Test
    void noLatency_saysWhy_andAddsNoValues() {
        Report report = new Report("sub").latency(new Histogram(3));
        assertThat(report.get("latency_p50_us")).isNull();
        assertThat(print(report)).startsWith("latency: none measured");
    }

    @Test
    void resultLine_isLast_withKeyValuePairsInOrder() {
        Report report = new Report("pub").line("sent: 10").value("sent", 10).value("rate", 2.25);
        String printed = print(report);
        assertThat(printed).isEqualTo("sent: 10\nresult kind=pub sent=10 rate=2.3\n".replace("\n", System.lineSeparator()));
    }

    @Test
    void progressLine_showsTheRoleCounters() {
        assertThat(new Meter(8, true, true).line(5, 8, 152_301.4, 151_998, 0))
                .isEqualTo("[5s] connected 8/8  sent 152,301/s  received 151,998/s  errors 0");
        assertThat(new Meter(10, false, false).line(1, 3, 0, 0, 2)).isEqualTo("[1s] connected 3/10  errors 2");
    }

    private static String print(Report report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
