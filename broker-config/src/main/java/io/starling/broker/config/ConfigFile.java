package io.starling.broker.config;

import io.starling.broker.config.parse.ConfigReader;
import java.nio.file.Path;

/** Reads a mosquitto.conf (and the files its {@code include_dir} lines name) into a {@link BrokerConfig}. */
public final class ConfigFile {
    private ConfigFile() {
    }

    /**
     * Reads and checks the whole file. Options mosquitto knows but Starling does not implement yet are
     * accepted and listed in {@link BrokerConfig#warnings()}.
     *
     * @throws ConfigException at the first error, naming the file and line
     */
    public static BrokerConfig read(Path path) throws ConfigException {
        return ConfigReader.read(path);
    }
}
