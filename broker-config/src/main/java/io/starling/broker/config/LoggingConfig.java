package io.starling.broker.config;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Where the broker logs and what.
 *
 * @param destinations       {@code log_dest}; empty for {@code log_dest none}; default stderr
 * @param file               the file of {@code log_dest file <path>}, or null
 * @param types              {@code log_type}; default error, warning, notice and information
 * @param timestamp          {@code log_timestamp}
 * @param timestampFormat    {@code log_timestamp_format}: a strftime format, or null for seconds since the epoch
 * @param connectionMessages {@code connection_messages}: log clients connecting and disconnecting
 */
public record LoggingConfig(Set<LogDestination> destinations, Path file, Set<LogType> types, boolean timestamp,
                            String timestampFormat, boolean connectionMessages) {
    /** Mosquitto's defaults. */
    public static final LoggingConfig DEFAULTS = new LoggingConfig(EnumSet.of(LogDestination.STDERR), null,
            EnumSet.of(LogType.ERROR, LogType.WARNING, LogType.NOTICE, LogType.INFORMATION), true, null, true);

    public LoggingConfig {
        destinations = Set.copyOf(destinations);
        types = Set.copyOf(types);
        if (destinations.contains(LogDestination.FILE) != (file != null)) {
            throw new IllegalArgumentException("log_dest file and its path go together");
        }
    }

    /** Whether lines of this type are logged. */
    public boolean logs(LogType type) {
        return types.contains(Objects.requireNonNull(type));
    }
}
