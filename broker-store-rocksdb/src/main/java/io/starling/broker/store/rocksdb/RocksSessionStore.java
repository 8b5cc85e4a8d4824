package io.starling.broker.store.rocksdb;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.LinkSequence;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoreHealth;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.time.Clock;
import io.starling.broker.store.rocksdb.ValueLayout.OutgoingEntry;
import io.starling.mqtt.codec.QoS;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The durable {@link SessionStore}: one RocksDB directory, written through its write-ahead log with
 * group commit ({@link GroupCommit}).
 *
 * <p>Every change is applied to RocksDB in the calling thread, unsynced, so changes are applied in the
 * order they were made. When they are durable, and what happens when the disk fails, is decided in
 * {@link GroupCommit} alone: this class only translates changes into keys and values. No method here
 * throws into the core on a disk failure (issue 14): the failure is reported to the group commit,
 * which refuses the acknowledgements that depended on it and recovers the store. The layout of keys and values is in {@link KeyLayout},
 * {@link ValueLayout} and {@link MessageCodec}; messages shared by many queue entries in
 * {@link MessageReferences}; start-up in {@link StateLoader}.
 *
 * <p>Threading: thread-safe. Changes for one client id are expected in happens-before order (the
 * core makes them from the session's loop, or hands the delivery over after recording it). One race
 * is tolerated rather than prevented: a delivery recorded by a publisher's loop while the session is
 * being deleted can leave its entry or message behind; the next {@link #load} deletes both (an entry
 * without a session header, a message without an entry).
 */
public final class RocksSessionStore implements SessionStore {

    private final Database db;
    private final MessageCodec codec;
    private final MessageReferences references;
    private final GroupCommit groupCommit;
    /** The {@code persistence_file} naming this store, or null when opened on a bare directory (tests). */
    private PersistenceFile file;

    private RocksSessionStore(Database db, GroupCommit groupCommit, Clock clock, long firstFreeMessageId) {
        this.db = db;
        this.codec = new MessageCodec(clock);
        this.references = new MessageReferences(db, codec, firstFreeMessageId);
        this.groupCommit = groupCommit;
    }

    /**
     * Opens the store in {@code directory}, creating it when missing. Call {@link #load} next, before
     * any change: it rebuilds the message reference counts.
     *
     * @throws StoreException naming the directory when it is locked by another process, corrupt, not
     *                        readable, not a directory, or of another format version
     */
    public static RocksSessionStore open(Path directory, Clock clock) throws StoreException {
        Database db = Database.open(directory);
        GroupCommit commit = db.startGroupCommit();
        try {
            checkFormatVersion(db);
            if (!commit.health().ok()) {
                throw new StoreException(directory, commit.health().problem());
            }
            byte[] lastMessage = db.lastKey(new byte[] {KeyLayout.MESSAGE});
            return new RocksSessionStore(db, commit, clock, lastMessage == null ? 1 : KeyLayout.storeId(lastMessage) + 1);
        } catch (RuntimeException e) {
            commit.close();
            db.close();
            throw e;
        }
    }

    /**
     * Opens the store that {@code persistence_location/persistence_file} names (see
     * {@link PersistenceFile}): empty when that file is missing; the file is written once the store
     * is open, and again at close if it was deleted meanwhile.
     */
    public static RocksSessionStore open(PersistenceFile file, Clock clock) throws StoreException {
        RocksSessionStore store = open(file.directory(), clock);
        try {
            file.writeUnlessPresent();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        store.file = file;
        return store;
    }

    private static void checkFormatVersion(Database db) {
        byte[] version = db.get(KeyLayout.version());
        if (version == null) {
            if (!db.isEmpty()) {
                throw new StoreException(db.directory(), "has no format version: not a Starling session store?");
            }
            db.put(KeyLayout.version(), ValueLayout.version(KeyLayout.FORMAT_VERSION));
            return;
        }
        int found = version.length == 4 ? ValueLayout.readVersion(version) : -1;
        if (found != KeyLayout.FORMAT_VERSION) {
            throw new StoreException(db.directory(), "has format version " + found + ", this broker reads version "
                    + KeyLayout.FORMAT_VERSION);
        }
    }

    /** The store's directory. */
    public Path directory() {
        return db.directory();
    }

    /** The WAL syncs, with their counters (for metrics). */
    public GroupCommit groupCommit() {
        return groupCommit;
    }

    @Override
    public boolean isDurable() {
        return true;
    }

    @Override
    public void saveSession(StoredSession session) {
        db.put(KeyLayout.session(session.clientId()), ValueLayout.session(session));
    }

    @Override
    public void deleteSession(String clientId) {
        db.onSyncThread(() -> { // reads the queue entries the writes before it left
            List<Long> referenced = new ArrayList<>();
            if (!readable(() -> db.scan(KeyLayout.clientPrefix(KeyLayout.OUTGOING, clientId), (key, value) -> {
                OutgoingEntry entry = ValueLayout.readOutgoing(value);
                if (!entry.released()) {
                    referenced.add(entry.storeId());
                }
            }))) {
                return;
            }
            List<byte[]> prefixes = new ArrayList<>();
            for (byte kind : KeyLayout.CLIENT_KINDS) {
                prefixes.add(KeyLayout.clientPrefix(kind, clientId));
            }
            db.deleteAll(List.of(), prefixes);
            referenced.forEach(references::drop);
        });
    }

    @Override
    public void saveSubscription(String clientId, String filter, SubscriberOptions options) {
        db.put(KeyLayout.subscription(clientId, filter), ValueLayout.subscription(options));
    }

    @Override
    public void deleteSubscription(String clientId, String filter) {
        db.delete(KeyLayout.subscription(clientId, filter));
    }

    @Override
    public void saveOutgoing(String clientId, long seq, Delivery delivery) {
        long storeId = references.add(delivery.message());
        db.put(KeyLayout.outgoing(clientId, seq), ValueLayout.outgoing(entry(storeId, delivery, 0)));
    }

    @Override
    public void saveOutgoingSent(String clientId, long seq, Delivery delivery, int packetId) {
        long storeId = delivery.message().storeId();
        if (storeId == 0) {
            // Never saved (it had no id), so this is its first entry and takes the reference.
            storeId = references.add(delivery.message());
        }
        db.put(KeyLayout.outgoing(clientId, seq), ValueLayout.outgoing(entry(storeId, delivery, packetId)));
    }

    @Override
    public void saveOutgoingReleased(String clientId, long seq, int packetId, Message message) {
        db.put(KeyLayout.outgoing(clientId, seq), ValueLayout.outgoing(
                new OutgoingEntry(0, QoS.EXACTLY_ONCE, false, List.of(), packetId, true)));
        dropReference(message);
    }

    @Override
    public void deleteOutgoing(String clientId, long seq, Message message) {
        byte[] key = KeyLayout.outgoing(clientId, seq);
        long storeId = message == null ? 0 : message.storeId();
        db.onSyncThread(() -> { // reads whether the entry is still there, after the writes before it
            boolean[] present = {false};
            if (!readable(() -> present[0] = db.get(key) != null) || !present[0]) {
                return; // gone with its session already, which dropped the reference too
            }
            db.delete(key);
            if (storeId != 0) {
                references.drop(storeId);
            }
        });
    }

    @Override
    public void saveIncomingQos2(String clientId, int packetId, Message message) {
        db.put(KeyLayout.incomingQos2(clientId, packetId), codec.encode(message));
    }

    @Override
    public void deleteIncomingQos2(String clientId, int packetId) {
        db.delete(KeyLayout.incomingQos2(clientId, packetId));
    }

    @Override
    public void saveRetained(Message message) {
        db.put(KeyLayout.retained(message.topic()), codec.encode(message));
    }

    @Override
    public void deleteRetained(String topic) {
        db.delete(KeyLayout.retained(topic));
    }

    @Override
    public void saveWill(String clientId, Message will, long publishAtMillis) {
        db.put(KeyLayout.will(clientId), ValueLayout.will(publishAtMillis, codec.encode(will)));
    }

    @Override
    public void deleteWill(String clientId) {
        db.delete(KeyLayout.will(clientId));
    }

    @Override
    public void saveLinkSequence(String origin, long incarnation, long seq) {
        db.put(KeyLayout.linkSequence(origin), ValueLayout.linkSequence(new LinkSequence(incarnation, seq)));
    }

    @Override
    public Map<String, LinkSequence> linkSequences() {
        Map<String, LinkSequence> marks = new HashMap<>();
        db.scan(new byte[] {KeyLayout.LINK_SEQUENCE}, (key, value) -> {
            try {
                marks.put(KeyLayout.clientId(key), ValueLayout.readLinkSequence(value));
            } catch (RuntimeException e) {
                throw new StoreException(db.directory(), "is corrupt: cannot read the entry " + KeyLayout.describe(key)
                        + " (" + e + ")", e);
            }
        });
        return marks;
    }

    @Override
    public void afterDurable(Executor executor, Commit task) {
        groupCommit.afterDurable(executor, task);
    }

    @Override
    public void beginChanges() {
        groupCommit.beginChanges();
    }

    @Override
    public boolean hasUnreportedChanges() {
        return groupCommit.hasUnreportedChanges();
    }

    @Override
    public StoreHealth health() {
        return groupCommit.health();
    }

    @Override
    public StoredState load() {
        return new StateLoader(db, codec, references).load();
    }

    @Override
    public long diskBytes() {
        try {
            return db.diskBytes();
        } catch (StoreException e) {
            return 0; // being recovered: the next reading will tell
        }
    }

    /** Syncs what was written, stops the sync thread and frees the native resources. Closing again does nothing. */
    @Override
    public void close() {
        try {
            groupCommit.close();
        } finally {
            db.close();
        }
        if (file != null) {
            file.writeUnlessPresent();
        }
    }

    /** How many {@code 'M'} entries are on disk (for tests). */
    long storedMessageCount() {
        long[] count = {0};
        db.scan(new byte[] {KeyLayout.MESSAGE}, (key, value) -> count[0]++);
        return count[0];
    }

    /** The database itself (for tests that damage or inspect it). */
    Database database() {
        return db;
    }

    /**
     * Runs a read that a change depends on; when it fails (the store is being recovered) the change is
     * skipped and the store is failed, so that the acknowledgement waiting on it is refused.
     */
    private boolean readable(Runnable read) {
        try {
            read.run();
            return true;
        } catch (StoreException e) {
            groupCommit.failed("read", e);
            return false;
        }
    }

    private void dropReference(Message message) {
        if (message != null && message.storeId() != 0) {
            references.drop(message.storeId());
        }
    }

    private static OutgoingEntry entry(long storeId, Delivery d, int packetId) {
        return new OutgoingEntry(storeId, d.qos(), d.retain(), d.subscriptionIds(), packetId, false,
                packetId == 0 ? d.packetId() : 0, StoredState.Outgoing.shareOf(d));
    }
}
