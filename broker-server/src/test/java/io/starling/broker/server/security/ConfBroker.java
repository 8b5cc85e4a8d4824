package io.starling.broker.server.security;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starling started from a mosquitto.conf written into a test's directory, as {@code bin/starling -c}
 * starts it, and started again from the same file (a clean restart, persistence and all).
 */
final class ConfBroker implements AutoCloseable {
    private Path conf;
    private Broker broker;

    /** Writes the lines as {@code starling.conf} in {@code dir} and starts a broker from it. */
    void start(Path dir, String... lines) throws Exception {
        conf = dir.resolve("starling.conf");
        Files.writeString(conf, String.join("\n", lines) + "\n");
        broker = Broker.start(ConfigFile.read(conf));
    }

    /** A clean stop and a start from the same conf. */
    void restart() throws Exception {
        close();
        broker = Broker.start(ConfigFile.read(conf));
    }

    boolean reloadSecurity() {
        return broker.reloadSecurity();
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
