package io.starling.broker.store.rocksdb;

import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.memory.InMemorySessionStore;

/**
 * The contract against broker-core's {@link InMemorySessionStore}. It runs here because the contract
 * lives here (see {@link SessionStoreContract}); "reopening" hands back the same object, which keeps
 * its data across {@code close()}, as core tests use it to restart a broker.
 */
class InMemorySessionStoreTest extends SessionStoreContract {
    private InMemorySessionStore current;

    @Override
    protected SessionStore open() {
        current = new InMemorySessionStore(CLOCK);
        return current;
    }

    @Override
    protected SessionStore reopen() {
        current.close();
        return current;
    }

    @Override
    protected long storedMessageCount() {
        return current.messageCount();
    }
}
