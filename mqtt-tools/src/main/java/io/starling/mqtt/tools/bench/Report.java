package io.starling.mqtt.tools.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The summary at the end of a run: lines for people, then one {@code result key=value ...} line for
 * scripts ({@code bench/compare} reads it). Keys use no spaces and values no spaces; times are in
 * microseconds ({@code _us}) or milliseconds ({@code _ms}), rates per second.
 */
final class Report {
    private final List<String> lines = new ArrayList<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    Report(String kind) {
        values.put("kind", kind);
    }

    Report line(String text) {
        lines.add(text);
        return this;
    }

    Report value(String key, long value) {
        values.put(key, Long.toString(value));
        return this;
    }

    Report value(String key, double value) {
        values.put(key, String.format(java.util.Locale.ROOT, "%.1f", value));
        return this;
    }

    String get(String key) {
        return values.get(key);
    }

    /** Adds the latency percentiles (microseconds) as a line and as {@code latency_p50_us}... values. */
    Report latency(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            lines.add("latency: none measured (payloads shorter than " + PayloadStamp.SIZE + " bytes, or none received)");
            return this;
        }
        lines.add(latencyLine(micros));
        value("latency_count", micros.getTotalCount());
        value("latency_p50_us", micros.getValueAtPercentile(50));
        value("latency_p90_us", micros.getValueAtPercentile(90));
        value("latency_p99_us", micros.getValueAtPercentile(99));
        value("latency_p999_us", micros.getValueAtPercentile(99.9));
        value("latency_max_us", micros.getMaxValue());
        return this;
    }

    static String latencyLine(Histogram micros) {
        return String.format("latency µs: p50 %,d  p90 %,d  p99 %,d  p99.9 %,d  max %,d  (%,d messages)",
                micros.getValueAtPercentile(50), micros.getValueAtPercentile(90), micros.getValueAtPercentile(99),
                micros.getValueAtPercentile(99.9), micros.getMaxValue(), micros.getTotalCount());
    }

    String resultLine() {
        StringBuilder b = new StringBuilder("result");
        values.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }

    void print(PrintStream out) {
        lines.forEach(out::println);
        out.println(resultLine());
        out.flush();
    }
}
