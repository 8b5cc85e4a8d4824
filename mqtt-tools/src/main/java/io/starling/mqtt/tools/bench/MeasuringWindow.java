package io.starling.mqtt.tools.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench sub --window FILE}: the start of the latency measurement, told by a harness while the
 * clients keep running. bench/compare's burst scenario needs it: its latency clients must be warm before
 * the burst (a fresh JVM's JIT shows as milliseconds of latency), yet only what follows the burst counts.
 * The file holds a Unix time in milliseconds; it is polled on the run's thread, between waits.
 */
final class MeasuringWindow {
    private final Path file;
    private boolean open;

    /** @param file the marker, or null for no window (every message is timed from the start) */
    MeasuringWindow(Path file) {
        this.file = file;
        this.open = file == null;
    }

    /** Opens the window of every subscriber once the marker holds a time; a half-written file is read again later. */
    void openWhenMarked(Subscriber[] subscribers) {
        if (open) {
            return;
        }
        Long millis = read(file);
        if (millis == null) {
            return;
        }
        long epochNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        for (Subscriber s : subscribers) {
            if (s != null) {
                s.openWindow(epochNanos);
            }
        }
        open = true;
    }

    /** The marker's time, or null while it is missing or not yet a whole number. */
    static Long read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? null : Long.valueOf(text);
        } catch (NoSuchFileException | NumberFormatException e) {
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
