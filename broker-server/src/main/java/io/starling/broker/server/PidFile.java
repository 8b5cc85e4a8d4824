package io.starling.broker.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** mosquitto's {@code pid_file}: the process id, written at start and removed at shutdown. */
final class PidFile {
    private static final Logger LOG = LoggerFactory.getLogger(PidFile.class);

    private PidFile() {
    }

    static void write(Path file) {
        try {
            Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            LOG.warn("Warning: Unable to write pid file {}: {}", file, e.getMessage());
        }
    }

    static void remove(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Warning: Unable to remove pid file {}: {}", file, e.getMessage());
        }
    }
}
