package io.starling.broker.store.rocksdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB instance behind the store, with its native options, and the one way to write to it.
 *
 * <p>Writes: each is handed to the {@link GroupCommit} thread ({@link GroupCommit#submit}), which puts
 * it in the write-ahead log's in-memory buffer ({@code manual_wal_flush}) and the memtable, unsynced,
 * in the order of the calls across threads, and makes it durable with {@link #syncWal}; the caller (an
 * event loop) never waits for RocksDB (issue 15). An operation that reads what earlier writes left and
 * writes according to it goes the same way ({@link #onSyncThread}); on that thread writes apply at once.
 * Reads from any other thread (start-up, tests) first wait for the writes submitted before them. A
 * write never throws: it tells the group commit that it was made, or that it failed (which fails the
 * store until {@link #reopen}).
 *
 * <p>Lifecycle: RocksJava crashes the JVM when a closed handle is used, so every call holds the read
 * side of {@code lifecycle} and {@link #close} the write side; a call after close fails with a
 * {@link StoreException}. Lock order: a caller may hold a {@code ConcurrentHashMap} bin lock (see
 * {@link MessageReferences}) when it takes {@code lifecycle}, never the reverse.
 *
 * <p>Tuning, for a broker rather than a database server: a 16 MiB block cache (the store is read in
 * full once, at start-up), 32 MiB memtables so that short-lived queue entries mostly die before they
 * reach a file, two background jobs, a small warnings-only LOG, and point-in-time WAL recovery so that
 * a log torn by a crash opens with everything before the tear.
 */
final class Database implements AutoCloseable {
    private static final long BLOCK_CACHE_BYTES = 16L << 20;
    private static final long WRITE_BUFFER_BYTES = 32L << 20;
    private static final long MAX_INFO_LOG_BYTES = 1L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final Path directory;
    private RocksDB db; // null while a reopen failed; replaced under the write side of lifecycle
    private final Options options;
    private final LRUCache blockCache;
    private final WriteOptions writeOptions;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final GroupCommit.Log log = new GroupCommit.Log() {
        @Override
        public void sync() throws RocksDBException {
            syncWal();
        }

        @Override
        public void recover() throws RocksDBException {
            reopen();
        }
    };
    private GroupCommit commit;
    private boolean closed;

    private Database(Path directory, RocksDB db, Options options, LRUCache blockCache) {
        this.directory = directory;
        this.db = db;
        this.options = options;
        this.blockCache = blockCache;
        this.writeOptions = new WriteOptions().setSync(false);
    }

    static Database open(Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new StoreException(directory, "is not a directory");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException(directory, "cannot be created (" + e + ")", e);
        }
        RocksDB.loadLibrary();
        LRUCache cache = new LRUCache(BLOCK_CACHE_BYTES);
        Options options = new Options()
                .setCreateIfMissing(true)
                .setManualWalFlush(true)
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setMaxBackgroundJobs(2)
                .setWriteBufferSize(WRITE_BUFFER_BYTES)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setMaxLogFileSize(MAX_INFO_LOG_BYTES)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
        try {
            return new Database(directory, RocksDB.open(options, directory.toString()), options, cache);
        } catch (RocksDBException e) {
            options.close();
            cache.close();
            throw StoreException.cannotOpen(directory, e);
        }
    }

    Path directory() {
        return directory;
    }

    /**
     * Runs {@code operation} on the sync thread after every write submitted so far (at once when
     * called there): a read and the writes that depend on it, which must see the writes before it.
     */
    void onSyncThread(Runnable operation) {
        if (commit.onSyncThread()) {
            operation.run();
            return;
        }
        commit.beforeWrite();
        commit.submit(operation);
    }

    /** Starts the group commit that syncs this database's writes. */
    GroupCommit startGroupCommit() {
        commit = GroupCommit.start(log);
        return commit;
    }

    void put(byte[] key, byte[] value) {
        write("write", db -> db.put(writeOptions, key, value));
    }

    void delete(byte[] key) {
        write("delete", db -> db.delete(writeOptions, key));
    }

    /** Deletes {@code keys} and every key starting with one of {@code prefixes}, atomically. */
    void deleteAll(Collection<byte[]> keys, Collection<byte[]> prefixes) {
        if (keys.isEmpty() && prefixes.isEmpty()) {
            return;
        }
        write("delete", db -> {
            try (WriteBatch batch = new WriteBatch()) {
                for (byte[] key : keys) {
                    batch.delete(key);
                }
                for (byte[] prefix : prefixes) {
                    batch.deleteRange(prefix, KeyLayout.endOf(prefix));
                }
                db.write(writeOptions, batch);
            }
        });
    }

    /** The value of {@code key}, or null. */
    byte[] get(byte[] key) {
        return read("read", () -> db.get(key));
    }

    /** Visits every entry whose key starts with {@code prefix}, in key order. */
    void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
        read("scan", () -> {
            try (RocksIterator it = db.newIterator()) {
                for (it.seek(prefix); it.isValid() && KeyLayout.startsWith(it.key(), prefix); it.next()) {
                    visitor.accept(it.key(), it.value());
                }
                it.status();
            }
            return null;
        });
    }

    /** The greatest key starting with {@code prefix}, or null. */
    byte[] lastKey(byte[] prefix) {
        return read("scan", () -> {
            try (RocksIterator it = db.newIterator()) {
                it.seekForPrev(KeyLayout.endOf(prefix));
                if (it.isValid() && !KeyLayout.startsWith(it.key(), prefix)) {
                    it.prev();
                }
                byte[] key = it.isValid() && KeyLayout.startsWith(it.key(), prefix) ? it.key() : null;
                it.status();
                return key;
            }
        });
    }

    boolean isEmpty() {
        return read("scan", () -> {
            try (RocksIterator it = db.newIterator()) {
                it.seekToFirst();
                boolean empty = !it.isValid();
                it.status();
                return empty;
            }
        });
    }

    /** Writes the WAL buffer to the log file and fsyncs it: every write that returned before is durable. */
    void syncWal() throws RocksDBException {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            checkOpen();
            db.flushWal(true);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes and opens RocksDB again, then syncs a write: how a failed store comes back, since RocksDB
     * keeps a failed WAL writer failed. Writes that were only in the lost WAL buffer are gone; the
     * group commit reported none of them durable.
     */
    void reopen() throws RocksDBException {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (db != null) {
                try {
                    db.closeE();
                } catch (RocksDBException e) {
                    // a failed database may not close cleanly; its files are what the reopen reads
                }
                db = null;
            }
            RocksDB opened = RocksDB.open(options, directory.toString());
            try {
                opened.put(writeOptions, KeyLayout.version(), ValueLayout.version(KeyLayout.FORMAT_VERSION));
                opened.flushWal(true);
            } catch (RocksDBException e) {
                opened.close();
                throw e;
            }
            db = opened;
        } finally {
            lock.unlock();
        }
    }

    /** SST files plus memtables (which stand for the live WAL): an estimate of the bytes on disk. */
    long diskBytes() {
        // Not after the submitted writes: an estimate, read from a timer that must not wait.
        return readNow("read its size", () -> db.getLongProperty("rocksdb.total-sst-files-size")
                + db.getLongProperty("rocksdb.cur-size-all-mem-tables"));
    }

    /** Syncs the WAL a last time, then frees every native object. */
    @Override
    public void close() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (db != null) {
                try {
                    db.flushWal(true);
                } catch (RocksDBException e) {
                    // A failed store: what is not on disk now was never acknowledged.
                    LOG.warn("Session store {}: the last sync on close failed ({})", directory, e.getMessage());
                }
                db.close();
            }
            writeOptions.close();
            options.close();
            blockCache.close();
        } finally {
            lock.unlock();
        }
    }

    private interface RocksCall<T> {
        T call() throws RocksDBException;
    }

    private interface RocksWrite {
        void run(RocksDB db) throws RocksDBException;
    }

    /** Hands a write to the sync thread (made at once there); a failure fails the store, it does not throw. */
    private void write(String what, RocksWrite write) {
        if (commit.onSyncThread()) {
            apply(what, write);
            return;
        }
        commit.beforeWrite();
        commit.submit(() -> apply(what, write));
    }

    /** Makes a write, on the sync thread, reporting it to the group commit. */
    private void apply(String what, RocksWrite write) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                // The broker is stopping and a loop still writes: nothing becomes durable any more.
                LOG.debug("Session store {} is closed: a {} is dropped", directory, what);
                return;
            }
            checkOpen();
            write.run(db);
            // Counted only once the write has returned: a sync that starts after this sees it.
            commit.written();
        } catch (RocksDBException | StoreException e) {
            commit.failed(what, e);
        } finally {
            lock.unlock();
        }
    }

    private <T> T read(String what, RocksCall<T> read) {
        if (commit != null) {
            commit.awaitApplied(); // see the writes submitted before this read
        }
        return readNow(what, read);
    }

    private <T> T readNow(String what, RocksCall<T> read) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            checkOpen();
            return read.call();
        } catch (RocksDBException e) {
            throw StoreException.failed(directory, what, e);
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException(directory, "is closed");
        }
        if (db == null) {
            throw new StoreException(directory, "is unavailable until it recovers");
        }
    }
}
