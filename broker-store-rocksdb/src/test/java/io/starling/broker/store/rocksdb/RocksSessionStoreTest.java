package io.starling.broker.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.mqtt.codec.QoS;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract against RocksDB, and what only a store on disk can get wrong.
 *
 * <p>Each test has a minute: a RocksDB open stuck in native code (as 10.10.1.1 is on some garbage
 * appended to a WAL) cannot be interrupted, so the test runs on its own thread and fails instead.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RocksSessionStoreTest extends SessionStoreContract {
    private static final long NEVER = 0xFFFF_FFFFL;

    @TempDir
    Path temp;
    private Path directory;
    private RocksSessionStore current;

    @Override
    protected SessionStore open() {
        directory = temp.resolve("store");
        current = RocksSessionStore.open(directory, CLOCK);
        return current;
    }

    @Override
    protected SessionStore reopen() {
        current.close();
        current = RocksSessionStore.open(directory, CLOCK);
        return current;
    }

    @Override
    protected long storedMessageCount() {
        return current.storedMessageCount();
    }

    // ---- durability ----

    @Test
    void afterDurable_runsOnlyOnceTheWriteBeforeItIsSynced() throws InterruptedException {
        long before = current.groupCommit().syncCount();
        store.saveSession(new StoredSession("c1", null, NEVER, 0));
        AtomicLong syncsSeen = new AtomicLong(-1);
        CountDownLatch ran = new CountDownLatch(1);

        store.afterDurable(Runnable::run, () -> {
            syncsSeen.set(current.groupCommit().syncCount());
            ran.countDown();
        });

        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(syncsSeen.get()).isGreaterThan(before);
        assertThat(current.groupCommit().totalSyncNanos()).isPositive();
    }

    @Test
    void afterDurable_withNothingWrittenSinceTheLastSync_runsWithoutSyncing() throws InterruptedException {
        store.saveSession(new StoredSession("c1", null, NEVER, 0));
        awaitDurable();
        long syncs = current.groupCommit().syncCount();

        awaitDurable();

        assertThat(current.groupCommit().syncCount()).isEqualTo(syncs);
    }

    @Test
    void killedBroker_keepsWhatWasSynced_andItsStoreOpensCleanly() throws Exception {
        store.close();
        Process other = otherBroker("crash");
        try {
            assertThat(firstLine(other)).isEqualTo("durable");
            Thread.sleep(200); // let it write unsynced changes, some of them into the log's tail
        } finally {
            other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        store = RocksSessionStore.open(directory, CLOCK);
        current = (RocksSessionStore) store;
        StoredState state = store.load();

        assertThat(state.sessions()).extracting(s -> s.header().clientId()).containsExactly("survivor");
        assertThat(text(state.sessions().get(0).outgoing().get(0).delivery().message())).isEqualTo("kept");
        releaseAll(state);
    }

    @Test
    void tornLogTail_opensWithEverythingBeforeTheTear() throws Exception {
        store.saveSession(new StoredSession("c1", "alice", NEVER, 0));
        store.saveSession(new StoredSession("c2", "bob", NEVER, 0));
        awaitDurable();
        Path copy = temp.resolve("crashed");
        copyDirectory(directory, copy);
        try (Stream<Path> files = Files.list(copy)) {
            // What a crash in the middle of writing the last record leaves: part of it.
            Path log = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(log);
            Files.write(log, Arrays.copyOf(bytes, bytes.length - 3));
        }

        try (RocksSessionStore crashed = RocksSessionStore.open(copy, CLOCK)) {
            assertThat(crashed.load().sessions()).extracting(s -> s.header().username()).containsExactly("alice");
        }
    }

    // ---- refusing to open ----

    @Test
    void secondOpenOfTheSameDirectory_failsNamingTheDirectory() {
        assertThatThrownBy(() -> RocksSessionStore.open(directory, CLOCK))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(directory.toString())
                .hasMessageContaining("is in use by another broker?");
    }

    @Test
    void directoryHeldByAnotherProcess_failsNamingTheDirectory() throws Exception {
        store.close();
        Process other = otherBroker("hold");
        try {
            assertThat(firstLine(other)).isEqualTo("open");

            assertThatThrownBy(() -> RocksSessionStore.open(directory, CLOCK))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(directory.toString())
                    .hasMessageContaining("is in use by another broker?");
        } finally {
            other.getOutputStream().close();
            assertThat(other.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void garbageInCurrent_failsAsCorruptNamingTheDirectory() throws IOException {
        store.close();
        Files.writeString(directory.resolve("CURRENT"), "\u0000garbage\n");

        assertRefused("corrupt");
    }

    @Test
    void garbageInTheManifest_failsAsCorruptNamingTheDirectory() throws IOException {
        store.saveSession(new StoredSession("c1", null, NEVER, 0));
        store.close();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path manifest : files.filter(f -> f.getFileName().toString().startsWith("MANIFEST-")).toList()) {
                byte[] garbage = new byte[(int) Files.size(manifest)];
                Arrays.fill(garbage, (byte) 0x5A);
                Files.write(manifest, garbage);
            }
        }

        assertRefused("corrupt");
    }

    @Test
    void storeOfAnotherFormatVersion_isRefused() {
        current.database().put(KeyLayout.version(), ValueLayout.version(2));
        store.close();

        assertRefused("has format version 2, this broker reads version 1");
    }

    @Test
    void nonEmptyDatabaseWithoutAVersion_isRefused() {
        current.database().deleteAll(List.of(KeyLayout.version()), List.of());
        store.saveSession(new StoredSession("c1", null, NEVER, 0));
        store.close();

        assertRefused("has no format version");
    }

    @Test
    void aFileInsteadOfADirectory_isRefused() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");

        assertThatThrownBy(() -> RocksSessionStore.open(file, CLOCK))
                .isInstanceOf(StoreException.class)
                .hasMessage("Session store " + file + " is not a directory");
    }

    @Test
    void corruptEntry_failsTheLoadNamingTheEntry() {
        current.database().put(KeyLayout.session("c1"), new byte[] {1});
        store = reopen();

        assertThatThrownBy(store::load)
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(directory.toString())
                .hasMessageContaining("S of client c1");
    }

    @Test
    void closedStore_dropsChangesWithoutThrowing_andStaysHealthy() {
        store.close();

        store.saveSession(new StoredSession("c1", null, NEVER, 0)); // a loop still running at shutdown

        assertThat(store.health().ok()).isTrue();
    }

    // ---- start-up cleaning ----

    @Test
    void leftoversOfAnInterruptedWrite_areDeletedAtLoad() {
        store.saveSession(new StoredSession("c1", null, NEVER, 0));
        MessageCodec codec = new MessageCodec(CLOCK);
        current.database().put(KeyLayout.message(999), codec.encode(message("a", "orphan", QoS.AT_LEAST_ONCE)));
        current.database().put(KeyLayout.outgoing("c1", 1), ValueLayout.outgoing(
                new ValueLayout.OutgoingEntry(555, QoS.AT_LEAST_ONCE, false, List.of(), 0, false)));
        assertThat(storedMessageCount()).isOne();

        store = reopen();
        StoredState state = store.load();

        assertThat(state.sessions().get(0).outgoing()).isEmpty();
        assertThat(storedMessageCount()).isZero();
        current.database().scan(KeyLayout.clientPrefix(KeyLayout.OUTGOING, "c1"),
                (key, value) -> assertThat(key).as("queue entry left").isNull());
    }

    @Test
    void incomingQos2EntryOfTheFormerFormat_withoutItsMessage_isDeletedAtLoad() {
        // Before issue 15 an incoming QoS 2 message was routed at PUBLISH and only its id was kept.
        store.saveSession(new StoredSession("c1", null, NEVER, 0));
        current.database().put(KeyLayout.incomingQos2("c1", 7), new byte[0]);
        store.saveIncomingQos2("c1", 8, message("in", "held", QoS.EXACTLY_ONCE));

        store = reopen();
        StoredState state = store.load();

        assertThat(state.sessions().get(0).incomingQos2()).containsOnlyKeys(8);
        assertThat(current.database().get(KeyLayout.incomingQos2("c1", 7))).as("old entry left").isNull();
        releaseAll(state);
    }

    @Test
    void storeIds_continueAfterTheHighestStoredMessage() {
        store.saveSession(new StoredSession("c1", null, NEVER, 0));
        var first = message("a", "1", QoS.AT_LEAST_ONCE);
        store.saveOutgoing("c1", 1, delivery(first));
        store = reopen();
        releaseAll(store.load());

        var second = message("a", "2", QoS.AT_LEAST_ONCE);
        store.saveOutgoing("c1", 2, delivery(second));

        assertThat(second.storeId()).isGreaterThan(first.storeId());
    }

    @Test
    void diskBytes_growsWithWhatIsWritten() {
        long empty = store.diskBytes();
        for (int i = 0; i < 100; i++) {
            store.saveRetained(message("t/" + i, "x".repeat(1000), QoS.AT_MOST_ONCE));
        }

        assertThat(store.diskBytes()).isGreaterThan(empty + 50_000);
    }

    // ---- helpers ----

    private void awaitDurable() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        store.afterDurable(Runnable::run, ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private void assertRefused(String why) {
        assertThatThrownBy(() -> RocksSessionStore.open(directory, CLOCK))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("Session store " + directory + " ")
                .hasMessageContaining(why);
    }

    private Process otherBroker(String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OtherBroker.class.getName(),
                directory.toString(), mode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }
}
