package io.starling.broker.store.rocksdb;

import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * The store cannot be opened, read or written. The message names the store's directory and says
 * why, for the operator: "Session store /var/lib/starling is in use by another broker? (...)".
 *
 * <p>Unchecked, because {@code SessionStore}'s methods are called from the core, which cannot handle
 * a disk failure any better than by letting it reach its boundary.
 */
public final class StoreException extends RuntimeException {
    private final transient Path directory;

    StoreException(Path directory, String why, Throwable cause) {
        super("Session store " + directory + " " + why, cause);
        this.directory = directory;
    }

    StoreException(Path directory, String why) {
        this(directory, why, null);
    }

    /** The store's directory. */
    public Path directory() {
        return directory;
    }

    /** Why RocksDB refused to open the directory, in words an operator can act on. */
    static StoreException cannotOpen(Path directory, RocksDBException e) {
        Status status = e.getStatus();
        Status.Code code = status == null ? null : status.getCode();
        String detail = e.getMessage();
        String text = detail == null ? "" : detail;
        if (code == Status.Code.IOError && text.contains("LOCK")) {
            return new StoreException(directory, "is in use by another broker? (" + detail + ")", e);
        }
        if (text.contains("Permission denied")) {
            return new StoreException(directory, "is not readable and writable by this user (" + detail + ")", e);
        }
        if (code == Status.Code.Corruption || text.contains("CURRENT") || text.contains("MANIFEST")) {
            return new StoreException(directory, "is corrupt (" + detail + ")", e);
        }
        return new StoreException(directory, "cannot be opened (" + detail + ")", e);
    }

    /** A read or write failed after the store was opened. */
    static StoreException failed(Path directory, String what, RocksDBException e) {
        return new StoreException(directory, "failed to " + what + " (" + e.getMessage() + ")", e);
    }
}
