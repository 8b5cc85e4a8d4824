package io.starling.broker.server.launcher;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.testkit.ThisJava;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged broker as users run it: {@code java -jar starling.jar -p PORT -v}, a separate process
 * that logs in mosquitto's words and shuts down cleanly on SIGTERM.
 */
class BrokerProcessIT {
    private Process broker;

    @AfterEach
    void stop() {
        if (broker != null && broker.isAlive()) {
            broker.destroyForcibly();
        }
    }

    @Test
    void verboseBroker_logsConnectionsAndPacketsInMosquittoWords_andStopsCleanlyOnSigterm(@TempDir Path dir)
            throws Exception {
        int port = freePort();
        Path log = dir.resolve("starling.log");
        broker = new ProcessBuilder(ThisJava.command("-jar", System.getProperty("starling.jar"), "-p", String.valueOf(port), "-v"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitLog(log, "Opening ipv4 listen socket on port " + port + ".");

        String url = "tcp://127.0.0.1:" + port;
        MqttClient sub = new MqttClient(url, "it-sub", new MemoryPersistence());
        CountDownLatch received = new CountDownLatch(1);
        CountDownLatch lost = new CountDownLatch(1);
        sub.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.countDown();
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setKeepAliveInterval(60);
        options.setAutomaticReconnect(false);
        sub.connect(options);
        sub.subscribe("a/b", 1);
        MqttClient pub = new MqttClient(url, "it-pub", new MemoryPersistence());
        pub.connect(options);
        pub.publish("a/b", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
        pub.disconnect();
        pub.close();
        assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();

        broker.destroy(); // SIGTERM
        assertThat(broker.waitFor(10, TimeUnit.SECONDS)).as("broker exits after SIGTERM").isTrue();
        assertThat(lost.await(5, TimeUnit.SECONDS)).as("subscriber is disconnected at shutdown").isTrue();
        sub.close();

        String text = Files.readString(log);
        assertThat(text)
                .containsPattern("(?m)^\\d+: New connection from 127\\.0\\.0\\.1:\\d+ on port " + port + "\\.$")
                .containsPattern("(?m)^\\d+: New client connected from 127\\.0\\.0\\.1:\\d+ as it-sub \\(p2, c1, k60\\)\\.$")
                .containsPattern("(?m)^\\d+: Sending CONNACK to it-sub \\(0, 0\\)$")
                .containsPattern("(?m)^\\d+: Received PUBLISH from it-pub \\(d0, q1, r0, m1, 'a/b', \\.\\.\\. \\(5 bytes\\)\\)$")
                .containsPattern("(?m)^\\d+: Sending PUBLISH to it-sub \\(d0, q1, r0, m1, 'a/b', \\.\\.\\. \\(5 bytes\\)\\)$")
                .containsPattern("(?m)^\\d+: Sending PUBACK to it-pub \\(m1, rc0\\)$")
                .containsPattern("(?m)^\\d+: Client it-pub disconnected\\.$")
                .contains("Starling shutting down.");
    }

    @Test
    void configFile_pidFileLogFileAndConnectionMessages_areApplied(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path pid = dir.resolve("starling.pid");
        Path log = dir.resolve("starling.log");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npid_file " + pid
                + "\nlog_dest file " + log + "\nconnection_messages false\n");
        broker = new ProcessBuilder(ThisJava.command("-jar", System.getProperty("starling.jar"), "-c", conf.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("console.txt").toFile()).start();
        awaitLog(log, "Opening ipv4 listen socket on port " + port + ".");

        assertThat(Files.readString(pid).strip()).isEqualTo(String.valueOf(broker.pid()));
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "quiet", new MemoryPersistence());
        client.connect();
        client.publish("a", "x".getBytes(StandardCharsets.UTF_8), 1, false);
        client.disconnect();
        client.close();

        broker.destroy(); // SIGTERM
        assertThat(broker.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(pid)).as("pid file removed at shutdown").isFalse();
        assertThat(Files.readString(log)).contains("Starling shutting down.")
                .doesNotContain("New client connected").doesNotContain("New connection from");
    }

    @Test
    void logTypesChosenOneByOne_reachTheFileAndTheLogTopics(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path log = dir.resolve("starling.log");
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\nlog_dest file " + log
                + "\nlog_dest topic\nlog_type notice\nlog_type subscribe\nlog_type unsubscribe\n");
        broker = new ProcessBuilder(ThisJava.command("-jar", System.getProperty("starling.jar"), "-c", conf.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("console.txt").toFile()).start();
        MqttClient watcher = connectWhenListening("tcp://127.0.0.1:" + port, "log-watcher");
        java.util.concurrent.BlockingQueue<String> topicLines = new java.util.concurrent.LinkedBlockingQueue<>();
        watcher.subscribe("$SYS/broker/log/#", 0, (t, m) -> topicLines.add(t + " " + new String(m.getPayload(),
                StandardCharsets.UTF_8)));
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "typed", new MemoryPersistence());
        client.connect();
        client.subscribe("a/b", 1);
        client.unsubscribe("a/b");
        client.disconnect();
        client.close();
        java.util.List<String> published = new java.util.ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (published.stream().noneMatch(l -> l.contains("Client typed disconnected")) && System.nanoTime() < until) {
            String line = topicLines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                published.add(line);
            }
        }
        watcher.disconnect();
        watcher.close();
        broker.destroy();
        assertThat(broker.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(published).anyMatch(l -> l.matches("\\$SYS/broker/log/N \\d+: New client connected from .* as typed .*"))
                .anyMatch(l -> l.matches("\\$SYS/broker/log/M/subscribe \\d+: typed 1 a/b"))
                .anyMatch(l -> l.matches("\\$SYS/broker/log/M/unsubscribe \\d+: typed a/b"))
                .anyMatch(l -> l.matches("\\$SYS/broker/log/N \\d+: Client typed disconnected\\."))
                .noneMatch(l -> l.startsWith("$SYS/broker/log/I") || l.startsWith("$SYS/broker/log/D"));
        String text = Files.readString(log);
        assertThat(text)
                .containsPattern("(?m)^\\d+: log-watcher 0 \\$SYS/broker/log/#$")
                .containsPattern("(?m)^\\d+: typed 1 a/b$")
                .containsPattern("(?m)^\\d+: typed a/b$")
                .containsPattern("(?m)^\\d+: Client typed disconnected\\.$")
                .doesNotContain("Opening ipv4 listen socket") // information: not chosen
                .doesNotContain("Received SUBSCRIBE"); // debug: not chosen
    }

    @Test
    void daemonFlag_ofBinStarling_returnsAtOnce_andLeavesTheBrokerRunningDetached(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path pid = dir.resolve("starling.pid");
        Path log = dir.resolve("starling.log");
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + port + " 127.0.0.1\n"
                + "allow_anonymous true\npid_file " + pid + "\nlog_dest file " + log + "\n");
        ProcessBuilder launcher = new ProcessBuilder("../bin/starling", "-d", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("console.txt").toFile());
        launcher.environment().put("STARLING_JAR", System.getProperty("starling.jar"));
        Process start = launcher.start();
        assertThat(start.waitFor(30, TimeUnit.SECONDS)).as("bin/starling -d returns").isTrue();
        assertThat(start.exitValue()).isZero();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(log) && Files.readString(log).contains("listen socket on port " + port))) {
            assertThat(System.nanoTime()).as("daemon opened its listener").isLessThan(deadline);
            Thread.sleep(50);
        }
        ProcessHandle daemon = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElseThrow();
        try {
            assertThat(sessionOf(daemon.pid())).as("its own session (setsid): no terminal, no signals of ours")
                    .isEqualTo(daemon.pid()).isNotEqualTo(sessionOf(ProcessHandle.current().pid()));
            MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "to-daemon", new MemoryPersistence());
            client.connect();
            client.disconnect();
            client.close();
        } finally {
            daemon.destroy(); // SIGTERM
            daemon.onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(Files.exists(pid)).as("pid file removed at shutdown").isFalse();
    }

    @Test
    void daemonFlag_withABadConfig_failsInTheForeground_withMosquittosMessage(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("bad.conf"), "listener 1883\nno_such_option 1\n");
        ProcessBuilder launcher = new ProcessBuilder("../bin/starling", "-d", "-c", conf.toString())
                .redirectErrorStream(true);
        launcher.environment().put("STARLING_JAR", System.getProperty("starling.jar"));
        Process start = launcher.start();
        String output = new String(start.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(start.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(start.exitValue()).isEqualTo(3);
        assertThat(output).contains(conf + ":2: Unknown configuration variable \"no_such_option\".");
    }

    @Test
    void startUpLog_namesTheJavaRuntime_itRunsOn(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path log = dir.resolve("starling.log");
        broker = new ProcessBuilder(ThisJava.command("-jar", System.getProperty("starling.jar"), "-p", String.valueOf(port)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitLog(log, "Opening ipv4 listen socket on port " + port + ".");

        String headers = ThisJava.command().contains("-XX:+UseCompactObjectHeaders") ? "on"
                : Runtime.version().feature() >= 24 ? "off" : "unavailable";
        assertThat(Files.readString(log)).containsPattern("(?m)^\\d+: Running on Java "
                + Pattern.quote(System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") from "
                + System.getProperty("java.home") + ", compact object headers " + headers + ".") + "$");
    }

    @Test
    void binStarling_runsTheJdkThatChooseJavaNames_withItsFlags(@TempDir Path dir) throws Exception {
        Process choice = new ProcessBuilder("../bin/choose-java").redirectErrorStream(true).start();
        List<String> chosen = List.of(new String(choice.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        assertThat(choice.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(choice.exitValue()).as(String.join("\n", chosen)).isZero();
        Path javaHome = Path.of(chosen.get(0)).toRealPath().getParent().getParent();
        String headers = chosen.get(1).contains("+UseCompactObjectHeaders") ? "on" : "(off|unavailable)";

        int port = freePort();
        Path log = dir.resolve("starling.log");
        ProcessBuilder launcher = new ProcessBuilder("../bin/starling", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        launcher.environment().put("STARLING_JAR", System.getProperty("starling.jar"));
        broker = launcher.start();
        awaitLog(log, "Opening ipv4 listen socket on port " + port + ".");

        assertThat(Files.readString(log)).containsPattern("(?m)^\\d+: Running on Java \\S+ \\(.*\\) from "
                + Pattern.quote(javaHome.toString()) + ", compact object headers " + headers + "\\.$");
    }

    /** The session id of a process: field 6 of /proc/PID/stat (after the parenthesised command name). */
    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]); // state, ppid, pgrp, session
    }

    /** Connects once the broker accepts connections (its log may not say so: information can be off). */
    private MqttClient connectWhenListening(String url, String clientId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            MqttClient c = new MqttClient(url, clientId, new MemoryPersistence());
            try {
                c.connect();
                return c;
            } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                c.close();
                assertThat(broker.isAlive()).as("broker process is running").isTrue();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }


    private void awaitLog(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            assertThat(broker.isAlive()).as("broker process is running; log:\n%s",
                    Files.exists(log) ? Files.readString(log) : "").isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("broker did not log '" + line + "' in 30 s:\n" + Files.readString(log));
    }
}
