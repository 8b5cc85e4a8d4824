package io.starling.broker.server;

import io.starling.broker.config.PersistenceConfig;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.store.rocksdb.PersistenceFile;
import io.starling.broker.store.rocksdb.RocksSessionStore;
import io.starling.broker.store.rocksdb.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store {@code persistence} asks for: RocksDB beside the file
 * {@code persistence_location/persistence_file} that names it ({@link PersistenceFile}), or nothing
 * but memory.
 */
final class StoreFiles {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFiles.class);

    private StoreFiles() {
    }

    static SessionStore open(PersistenceConfig config) throws StoreException {
        if (!config.enabled()) {
            return SessionStore.NONE;
        }
        PersistenceFile file = PersistenceFile.prepare(config.path());
        LOG.info("Persistence on: sessions and retained messages are stored in {} (named by {}).",
                file.directory().toAbsolutePath(), file.header().toAbsolutePath());
        return RocksSessionStore.open(file, Clock.SYSTEM);
    }
}
