package io.starling.broker.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Whether and where sessions, subscriptions and messages survive a restart.
 *
 * @param enabled           {@code persistence}
 * @param location          {@code persistence_location}, or null for the working directory
 * @param file              {@code persistence_file}, default {@code mosquitto.db}
 * @param autosaveInterval  {@code autosave_interval}: seconds between saves (or, with
 *                          {@code autosaveOnChanges}, changes between saves); 0 saves only at exit
 * @param autosaveOnChanges {@code autosave_on_changes}
 */
public record PersistenceConfig(boolean enabled, Path location, String file, int autosaveInterval,
                                boolean autosaveOnChanges) {
    /** Mosquitto's defaults. */
    public static final PersistenceConfig DEFAULTS = new PersistenceConfig(false, null, "mosquitto.db", 1800, false);

    public PersistenceConfig {
        Objects.requireNonNull(file, "file");
        if (autosaveInterval < 0) {
            throw new IllegalArgumentException("autosaveInterval must not be negative: " + autosaveInterval);
        }
    }

    /** Where the database lives: {@code location/file}, or {@code file} in the working directory. */
    public Path path() {
        return location == null ? Path.of(file) : location.resolve(file);
    }
}
