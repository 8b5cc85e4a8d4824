package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import java.util.HashMap;
import java.util.Map;

/**
 * The options already given in one scope (the broker, one listener, its TLS options, ...), to treat a
 * repeated option the way mosquitto does: text values (paths, prefixes) may not be given twice, other
 * values are overwritten by the later line, which we point out with a warning.
 */
final class Repeats {
    private final Map<String, ConfigLine> lines = new HashMap<>();

    /**
     * For options mosquitto refuses to repeat: {@code Duplicate <name> value in configuration.}
     *
     * @param name the option as the message names it (mosquitto sometimes says more than the key)
     */
    void refuse(ConfigLine line, String name) throws ConfigException {
        ConfigLine before = lines.putIfAbsent(name, line);
        if (before != null) {
            throw line.error("Duplicate " + name + " value in configuration (first given at " + before.where() + ").");
        }
    }

    /** For options where the last line wins: records it and warns when it overrides an earlier one. */
    void lastWins(ConfigLine line, String name, ReadContext context) {
        ConfigLine before = note(line, name);
        if (before != null) {
            context.warn(line.warning(name + " was already set at " + before.where() + "; this later value is used."));
        }
    }

    /** Records the line as the latest for {@code name}; returns the one before it, or null. */
    ConfigLine note(ConfigLine line, String name) {
        return lines.put(name, line);
    }

    /** Where the option was last given in this scope, or null. */
    ConfigLine line(String name) {
        return lines.get(name);
    }
}
