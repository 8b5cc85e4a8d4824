package io.starling.mqtt.tools.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bench pub --hold FILE}: while the file exists the publishers send nothing. bench/compare's burst
 * scenario warms its latency publisher, holds it through the burst and lets it go the moment the burst is
 * over, so that no fresh JVM's JIT warm-up and no backlog of held messages shows in the tail it measures.
 * Polled on the run's thread, between waits.
 */
final class HoldFile {
    private final Path file;
    private boolean holding;

    /** @param file the file to watch, or null for never holding */
    HoldFile(Path file) {
        this.file = file;
    }

    /** Holds or releases every publisher when the file appeared or went since the last call. */
    void apply(Publisher[] publishers) {
        if (file == null) {
            return;
        }
        boolean exists = Files.exists(file);
        if (exists == holding) {
            return;
        }
        holding = exists;
        for (Publisher p : publishers) {
            if (p != null) {
                p.hold(exists);
            }
        }
    }
}
