package io.starling.broker.server.differential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's mosquitto ({@code /usr/sbin/mosquitto -c conf}) as a process, its log appended to a file
 * across restarts so that each start and reload can be waited for by its log line.
 */
final class MosquittoProcess implements BrokerUnderTest {
    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final Path conf;
    private final Path log;
    private Process process;

    private MosquittoProcess(Path conf, Path log) {
        this.conf = conf;
        this.log = log;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    static MosquittoProcess start(Path conf) throws IOException, InterruptedException {
        MosquittoProcess m = new MosquittoProcess(conf, conf.resolveSibling("mosquitto.log"));
        m.launch();
        return m;
    }

    @Override
    public String name() {
        return "mosquitto";
    }

    private void launch() throws IOException, InterruptedException {
        int before = count(" running");
        process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitLog(" running", before + 1);
    }

    @Override
    public void sighup() throws IOException, InterruptedException {
        int before = count("Reloading config.");
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
        kill.waitFor(5, TimeUnit.SECONDS);
        // mosquitto handles the signal between two passes of its one loop, logging this line first
        // and reloading before it reads any further packet.
        awaitLog("Reloading config.", before + 1);
    }

    @Override
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int count(String text) {
        String all = log();
        int n = 0;
        for (int i = all.indexOf(text); i >= 0; i = all.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }

    private void awaitLog(String text, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (count(text) >= times) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("mosquitto exited (" + process.exitValue() + "); log:\n" + log());
            }
            Thread.sleep(10);
        }
        throw new AssertionError("mosquitto did not log '" + text + "' in 10 s; log:\n" + log());
    }

    private void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
