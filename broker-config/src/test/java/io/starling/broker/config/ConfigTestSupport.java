package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Writes config text to a temporary mosquitto.conf and reads it back. */
abstract class ConfigTestSupport {
    @TempDir
    Path dir;

    Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    /** The main file's path, as messages show it. */
    String main() {
        return dir.resolve("mosquitto.conf").toString();
    }

    BrokerConfig read(String text) throws Exception {
        return ConfigFile.read(write("mosquitto.conf", text));
    }

    /** The error message reading {@code text} gives; fails if it reads fine. */
    String error(String text) throws Exception {
        Path file = write("mosquitto.conf", text);
        String[] message = new String[1];
        assertThatThrownBy(() -> ConfigFile.read(file)).isInstanceOf(ConfigException.class)
                .satisfies(e -> message[0] = e.getMessage());
        return message[0];
    }

    /** {@code Error: <main file>:<line>: <what>}. */
    String errorAt(int line, String what) {
        return "Error: " + main() + ":" + line + ": " + what;
    }

    /** {@code Warning: <main file>:<line>: <what>}. */
    String warningAt(int line, String what) {
        return "Warning: " + main() + ":" + line + ": " + what;
    }
}
