package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.PersistenceConfig;
import java.nio.file.Path;

/** {@code persistence} and where and how often the database is saved. */
final class PersistenceOptions implements OptionGroup {
    private final Repeats repeats = new Repeats();
    private boolean enabled = PersistenceConfig.DEFAULTS.enabled();
    private Path location = PersistenceConfig.DEFAULTS.location();
    private String file = PersistenceConfig.DEFAULTS.file();
    private int autosaveInterval = PersistenceConfig.DEFAULTS.autosaveInterval();
    private boolean autosaveOnChanges = PersistenceConfig.DEFAULTS.autosaveOnChanges();

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            // retained_persistence is mosquitto's older name for it.
            case "persistence", "retained_persistence" -> enabled = scalar(line, "persistence", context).bool();
            case "persistence_location" -> location = once(line).path();
            case "persistence_file" -> file = once(line).text();
            case "autosave_interval" -> autosaveInterval = autosaveInterval(scalar(line, line.key(), context));
            case "autosave_on_changes" -> autosaveOnChanges = scalar(line, line.key(), context).bool();
            default -> {
                return false;
            }
        }
        return true;
    }

    PersistenceConfig build() {
        return new PersistenceConfig(enabled, location, file, autosaveInterval, autosaveOnChanges);
    }

    private ConfigLine scalar(ConfigLine line, String name, ReadContext context) {
        repeats.lastWins(line, name, context);
        context.warnExtraWords(line, 1);
        return line;
    }

    private ConfigLine once(ConfigLine line) throws ConfigException {
        repeats.refuse(line, line.key());
        return line;
    }

    /** Mosquitto takes a negative interval as 0. */
    private static int autosaveInterval(ConfigLine line) throws ConfigException {
        return Math.max(0, line.integer(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
}
