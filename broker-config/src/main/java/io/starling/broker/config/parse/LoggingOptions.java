package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.LogDestination;
import io.starling.broker.config.LogType;
import io.starling.broker.config.LoggingConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code log_dest} and {@code log_type}, which may be repeated (the first one replaces the default set,
 * {@code none} empties it), and the other log options.
 */
final class LoggingOptions implements OptionGroup {
    private final Repeats repeats = new Repeats();
    private final Set<LogDestination> destinations = EnumSet.copyOf(LoggingConfig.DEFAULTS.destinations());
    private final Set<LogType> types = EnumSet.copyOf(LoggingConfig.DEFAULTS.types());
    private boolean destinationsGiven;
    private boolean typesGiven;
    private Path file;
    private boolean timestamp = LoggingConfig.DEFAULTS.timestamp();
    private String timestampFormat = LoggingConfig.DEFAULTS.timestampFormat();
    private boolean connectionMessages = LoggingConfig.DEFAULTS.connectionMessages();

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            case "log_dest" -> logDest(line, context);
            case "log_type" -> logType(line, context);
            case "log_timestamp" -> timestamp = scalar(line, context).bool();
            case "log_timestamp_format" -> timestampFormat = once(line).text();
            case "connection_messages" -> connectionMessages = scalar(line, context).bool();
            default -> {
                return false;
            }
        }
        return true;
    }

    LoggingConfig build() {
        return new LoggingConfig(destinations, destinations.contains(LogDestination.FILE) ? file : null, types,
                timestamp, timestampFormat, connectionMessages);
    }

    private void logDest(ConfigLine line, ReadContext context) throws ConfigException {
        String word = line.word();
        if (!destinationsGiven) {
            destinations.clear();
            destinationsGiven = true;
        }
        if (word.equals("none")) {
            destinations.clear();
            context.warnExtraWords(line, 1);
            return;
        }
        LogDestination destination = named(LogDestination.values(), word, LogDestination::configName);
        if (destination == null) {
            throw line.error("Invalid log_dest value (" + word + ").");
        }
        if (destination == LogDestination.FILE) {
            logFile(line);
        } else {
            context.warnExtraWords(line, 1);
        }
        destinations.add(destination);
    }

    /** {@code log_dest file <path>}: the path is the rest of the line, and only one file is allowed. */
    private void logFile(ConfigLine line) throws ConfigException {
        if (file != null) {
            throw line.error("Duplicate \"log_dest file\" value (first given at " + repeats.line("log_dest file").where()
                    + ").");
        }
        String path = line.value().substring("file".length()).strip();
        if (path.isEmpty()) {
            throw line.error("Empty \"log_dest file\" value in configuration.");
        }
        file = new ConfigLine(line.file(), line.number(), "log_dest file", path).path();
        repeats.note(line, "log_dest file");
    }

    private void logType(ConfigLine line, ReadContext context) throws ConfigException {
        String word = line.word();
        context.warnExtraWords(line, 1);
        if (!typesGiven) {
            types.clear();
            typesGiven = true;
        }
        switch (word) {
            case "none" -> types.clear();
            case "all" -> types.addAll(EnumSet.allOf(LogType.class));
            default -> {
                LogType type = named(LogType.values(), word, LogType::configName);
                if (type == null) {
                    throw line.error("Invalid log_type value (" + word + ").");
                }
                types.add(type);
            }
        }
    }

    private ConfigLine scalar(ConfigLine line, ReadContext context) {
        repeats.lastWins(line, line.key(), context);
        context.warnExtraWords(line, 1);
        return line;
    }

    private ConfigLine once(ConfigLine line) throws ConfigException {
        repeats.refuse(line, line.key());
        return line;
    }

    private static <E> E named(E[] values, String word, Function<E, String> name) {
        for (E value : values) {
            if (word.equals(name.apply(value))) {
                return value;
            }
        }
        return null;
    }
}
