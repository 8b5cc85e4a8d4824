package io.starling.broker.server.security;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Will;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Files, ports and brokers shared by the security tests. */
final class SecurityFixtures {
    static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    private SecurityFixtures() {
    }

    /** Writes the lines (each ended by a newline) and returns the file. */
    static Path write(Path file, String... lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        try {
            Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A password file line as mosquitto 2.0 writes it ({@code user:$7$...}). */
    static String user(String name, String password) {
        return name + ":" + PasswordHash.hash7(password);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * A mosquitto.conf with a loopback listener on {@code port} and the given lines; {@code user root}
     * when the tests run as root, so that mosquitto (which otherwise drops to the user "mosquitto")
     * can read the files in the test's directory. Starling reads the very same lines.
     */
    static Path conf(Path file, int port, String... lines) {
        List<String> all = new ArrayList<>();
        all.add("listener " + port + " 127.0.0.1");
        all.addAll(Arrays.asList(lines));
        if (runningAsRoot()) {
            all.add("user root");
        }
        return write(file, all.toArray(String[]::new));
    }

    /**
     * Starling as an embedding application starts it: {@code Broker.start(ConfigFile.read(conf))},
     * with the listener moved to an ephemeral loopback port so tests never race for a port.
     */
    static Broker startStarling(Path dir, String... lines) throws ConfigException, InterruptedException,
            Broker.StartException {
        Path conf = conf(dir.resolve("starling-" + System.nanoTime() + ".conf"), 1883, lines);
        BrokerConfig config = ConfigFile.read(conf).withListeners(List.of(new ListenerConfig(0, "127.0.0.1")));
        return Broker.start(config);
    }

    /** The CONNACK return code (3.1.1) or reason code (5.0) a CONNECT gets. */
    static int connackCode(int port, MqttVersion version, String clientId, String username, String password,
                           Will will) {
        try (RawMqttClient c = RawMqttClient.open(port)) {
            ConnAck ack = c.connect(new Connect(version, clientId, true, 30, username,
                    password == null ? null : password.getBytes(StandardCharsets.UTF_8), will, Properties.EMPTY));
            return ack.reasonCode();
        }
    }

    static int connackCode(int port, MqttVersion version, String clientId, String username, String password) {
        return connackCode(port, version, clientId, username, password, null);
    }

    /** A connected raw client, failing unless the CONNACK accepts it. */
    static RawMqttClient rawConnected(int port, MqttVersion version, String clientId, String username,
                                      String password) {
        RawMqttClient c = RawMqttClient.open(port);
        ConnAck ack = c.connect(new Connect(version, clientId, true, 30, username,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY));
        if (ack.reasonCode() != 0) {
            c.close();
            throw new AssertionError(clientId + " refused with CONNACK code " + ack.reasonCode());
        }
        return c;
    }

    static boolean mosquittoPasswdInstalled() {
        return Files.isExecutable(MOSQUITTO_PASSWD);
    }

    /** Runs {@code mosquitto_passwd [-c] -b file user password}. */
    static void mosquittoPasswd(Path file, boolean create, String username, String password) {
        List<String> command = new ArrayList<>(List.of(MOSQUITTO_PASSWD.toString()));
        if (create) {
            command.add("-c");
        }
        command.addAll(List.of("-b", file.toString(), username, password));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("mosquitto_passwd did not end within 10 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("mosquitto_passwd failed (" + p.exitValue() + "): " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
