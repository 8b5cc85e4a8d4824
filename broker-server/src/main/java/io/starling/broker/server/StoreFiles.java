package io.starling.broker.server;

import io.starling.broker.config.PersistenceConfig;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.store.rocksdb.RocksSessionStore;
import io.starling.broker.store.rocksdb.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store {@code persistence} asks for: RocksDB in a directory named by
 * {@code persistence_location} and {@code persistence_file}, or nothing but memory.
 */
final class StoreFiles {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFiles.class);

    private StoreFiles() {
    }

    static SessionStore open(PersistenceConfig config) throws StoreException {
        if (!config.enabled()) {
            return SessionStore.NONE;
        }
        Path path = directoryOf(config);
        LOG.info("Persistence on: sessions and retained messages are stored in {}.", path.toAbsolutePath());
        return RocksSessionStore.open(path, Clock.SYSTEM);
    }

    /**
     * The store's directory. A regular file there is a Mosquitto database, which Starling cannot
     * read: it is left untouched and the store goes beside it, with a warning, so that the same
     * config file still starts.
     */
    static Path directoryOf(PersistenceConfig config) {
        Path path = config.path();
        if (Files.isRegularFile(path)) {
            Path beside = path.resolveSibling(path.getFileName() + ".starling");
            LOG.warn("Warning: {} is a file (a Mosquitto database?); Starling does not read it and keeps its own store in {}.",
                    path, beside);
            return beside;
        }
        return path;
    }
}
