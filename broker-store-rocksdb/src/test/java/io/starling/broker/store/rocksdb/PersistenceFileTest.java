package io.starling.broker.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.core.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file at {@code persistence_location/persistence_file}: its golden text (stores named by files
 * an earlier build wrote must still open), and which file leads to which directory.
 */
class PersistenceFileTest {
    @TempDir
    Path dir;

    @Test
    void header_namesTheDirectoryBesideIt_golden() throws Exception {
        PersistenceFile file = PersistenceFile.prepare(dir.resolve("mosquitto.db"));
        try (RocksSessionStore store = RocksSessionStore.open(file, Clock.SYSTEM)) {
            assertThat(Files.readString(dir.resolve("mosquitto.db"))).isEqualTo(
                    "# Starling session store: the data is in the directory named below, beside this file.\n"
                    + "# Deleting this file empties the store at the next start, as deleting mosquitto.db does.\n"
                    + "starling-store 1 mosquitto.db.rocksdb\n");
            assertThat(Files.getPosixFilePermissions(dir.resolve("mosquitto.db")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(dir.resolve("mosquitto.db.rocksdb")).isDirectory();
            assertThat(dir.resolve("mosquitto.db.new")).doesNotExist();
        }
    }

    @Test
    void header_isReadForTheDirectoryItNames() throws Exception {
        Files.writeString(dir.resolve("broker.db"), "# any comment\nstarling-store 1 elsewhere\n");
        assertThat(PersistenceFile.prepare(dir.resolve("broker.db")).directory()).isEqualTo(dir.resolve("elsewhere"));
    }

    @Test
    void header_ofAnotherVersion_isRefused() throws Exception {
        Files.writeString(dir.resolve("broker.db"), "starling-store 2 broker.db.rocksdb\n");
        assertThatThrownBy(() -> PersistenceFile.prepare(dir.resolve("broker.db")))
                .isInstanceOf(StoreException.class).hasMessageContaining("another format version");
    }

    @Test
    void header_namingADirectoryOutsideItsOwn_isRefused() throws Exception {
        Files.writeString(dir.resolve("broker.db"), "starling-store 1 ../etc\n");
        assertThatThrownBy(() -> PersistenceFile.prepare(dir.resolve("broker.db")))
                .isInstanceOf(StoreException.class).hasMessageContaining("neither a Starling store file");
    }

    @Test
    void missingHeader_deletesTheStoreBesideIt() throws Exception {
        Path data = Files.createDirectories(dir.resolve("mosquitto.db.rocksdb"));
        Files.writeString(data.resolve("000001.log"), "old");
        PersistenceFile file = PersistenceFile.prepare(dir.resolve("mosquitto.db"));
        assertThat(file.directory()).isEqualTo(data);
        assertThat(data).doesNotExist();
    }
}
