package io.starling.broker.store.rocksdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mosquitto's {@code persistence_location/persistence_file} as Starling keeps it (issue 15): a small
 * regular file whose header names the store, with the RocksDB directory beside it
 * ({@code mosquitto.db} and {@code mosquitto.db.rocksdb/}). Operators and scripts treat
 * {@code mosquitto.db} as the broker's state, so it keeps its meanings: it is a regular file, it
 * exists after shutdown, and when it is missing at start-up the broker starts empty (the directory
 * beside it, left from before, is deleted).
 *
 * <p>Mosquitto itself writes the file at shutdown and every autosave, {@code <file>.new} then a
 * rename, mode 0600; a file it cannot read stops it ("Error: Couldn't open database."). Starling
 * writes its header the same way, when the store is opened (so a crash cannot leave a store without
 * it) and again at close when someone deleted it meanwhile (as mosquitto would save it again).
 *
 * <p>Two other things may be found at the path: a Mosquitto database (Starling cannot read it: it is
 * left untouched, and Starling's header goes in {@code <file>.starling} beside it, with a warning),
 * and a directory, the layout of Starling before issue 15 (moved to {@code <file>.rocksdb}, its data
 * kept). Anything else is refused, naming the file, as mosquitto refuses a database it cannot read.
 *
 * <p>The header (format fixed by {@code PersistenceFileTest}): two comment lines, then
 * {@code starling-store 1 <directory name>}.
 */
public final class PersistenceFile {
    private static final Logger LOG = LoggerFactory.getLogger(PersistenceFile.class);
    static final String KEYWORD = "starling-store";
    static final int VERSION = 1;
    /** The first bytes of a Mosquitto 2.0 database: {@code 00 B5 00 "mosquitto db"}. */
    private static final byte[] MOSQUITTO_MAGIC = {0x00, (byte) 0xB5, 0x00,
            'm', 'o', 's', 'q', 'u', 'i', 't', 't', 'o', ' ', 'd', 'b'};

    private final Path header;
    private final Path directory;

    private PersistenceFile(Path header, Path directory) {
        this.header = header;
        this.directory = directory;
    }

    /** The header file (normally {@code persistence_location/persistence_file}). */
    public Path header() {
        return header;
    }

    /** The RocksDB directory beside it. */
    public Path directory() {
        return directory;
    }

    /**
     * Finds the store for {@code persistence_location/persistence_file}, readying the disk for it: an
     * old store directory moved beside the file, a store whose file was deleted deleted too.
     *
     * @throws StoreException when the path holds something that is neither Starling's nor Mosquitto's
     */
    public static PersistenceFile prepare(Path file) {
        Path header = file;
        if (Files.isRegularFile(file) && isMosquittoDatabase(file)) {
            header = file.resolveSibling(file.getFileName() + ".starling");
            LOG.warn("Warning: {} is a Mosquitto database, which Starling does not read; it is left untouched and Starling's store is named by {}.",
                    file, header);
        }
        Path directory = header.resolveSibling(header.getFileName() + ".rocksdb");
        if (Files.isDirectory(header)) {
            move(header, directory);
        } else if (Files.isRegularFile(header)) {
            directory = header.resolveSibling(storeNamed(header));
        } else if (Files.exists(directory)) {
            LOG.info("{} is missing: starting with an empty store (deleting {}).", header, directory);
            delete(directory);
        }
        return new PersistenceFile(header, directory);
    }

    /** Writes the header unless it is there (after the store opened, and at close). */
    void writeUnlessPresent() {
        if (Files.isRegularFile(header)) {
            return;
        }
        String text = "# Starling session store: the data is in the directory named below, beside this file.\n"
                + "# Deleting this file empties the store at the next start, as deleting mosquitto.db does.\n"
                + KEYWORD + " " + VERSION + " " + directory.getFileName() + "\n";
        Path temporary = header.resolveSibling(header.getFileName() + ".new");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            restrictToOwner(temporary);
            Files.move(temporary, header, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StoreException(header, "cannot be written (" + e + ")", e);
        }
    }

    /** The directory name the header names; the file must be Starling's. */
    private static String storeNamed(Path header) {
        String text;
        try {
            text = Files.readString(header, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new StoreException(header, "cannot be read (" + e + ")", e);
        }
        for (String line : text.split("\n")) {
            String[] words = line.trim().split(" ");
            if (words.length == 3 && words[0].equals(KEYWORD)) {
                if (!words[1].equals(Integer.toString(VERSION))) {
                    throw new StoreException(header, "is of another format version (" + words[1] + ")");
                }
                if (words[2].isEmpty() || words[2].contains("/") || words[2].equals("..")) {
                    break;
                }
                return words[2];
            }
        }
        throw new StoreException(header, "is neither a Starling store file nor a Mosquitto database");
    }

    private static boolean isMosquittoDatabase(Path file) {
        try (var in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MOSQUITTO_MAGIC.length), MOSQUITTO_MAGIC);
        } catch (IOException e) {
            throw new StoreException(file, "cannot be read (" + e + ")", e);
        }
    }

    private static void move(Path oldDirectory, Path directory) {
        if (Files.exists(directory)) {
            throw new StoreException(oldDirectory, "is a store directory of an older Starling, and "
                    + directory + " exists too: move one of them away");
        }
        try {
            Files.move(oldDirectory, directory, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StoreException(oldDirectory, "cannot be moved to " + directory + " (" + e + ")", e);
        }
        LOG.info("Moved the store directory {} to {}; {} is now the file naming it.", oldDirectory, directory, oldDirectory);
    }

    private static void delete(Path directory) {
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new StoreException(directory, "cannot be deleted (" + e + ")", e);
        }
    }

    /** Mode 0600, as mosquitto's database; ignored where the file system has no POSIX modes. */
    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the default mode stays
        }
    }
}
