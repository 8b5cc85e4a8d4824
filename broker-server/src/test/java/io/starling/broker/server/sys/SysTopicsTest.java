package io.starling.broker.server.sys;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.broker.core.sys.SysTree;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.MosquittoClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The $SYS tree against real clients: mosquitto_sub and Paho, side by side with mosquitto 2.0.11
 * where it is installed.
 */
@Timeout(60)
class SysTopicsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    @TempDir
    Path dir;

    @BeforeAll
    static void requireMosquittoClients() {
        assumeTrue(MosquittoClients.installed(), "mosquitto_pub/mosquitto_sub not installed");
    }


    private Path conf(String name, int port, String... lines) throws IOException {
        String text = "listener " + port + " 127.0.0.1\n" + String.join("\n", lines) + "\n";
        return Files.writeString(dir.resolve(name), text);
    }

    private Broker starling(int port, String... lines) throws IOException, ConfigException, InterruptedException,
            Broker.StartException {
        return Broker.start(ConfigFile.read(conf("starling-" + port + ".conf", port, lines)));
    }

    /** Every message mosquitto_sub gets within {@code seconds}, as "topic|payload|retain|qos". */
    /** What mosquitto_sub prints in {@code seconds} (see {@link MosquittoClients.Sub#runFor} for why not {@code -W}). */
    private static List<String> collect(int port, int seconds, String... args) throws InterruptedException {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "-F";
        all[args.length + 1] = "%t|%p|%r|%q";
        try (MosquittoClients.Sub sub = MosquittoClients.sub(port, all)) {
            sub.awaitSubscribed(Duration.ofSeconds(10));
            return sub.runFor(Duration.ofSeconds(seconds)).stdout();
        }
    }

    private static Set<String> topics(List<String> lines) {
        Set<String> topics = new TreeSet<>();
        lines.forEach(l -> topics.add(l.substring(0, l.indexOf('|'))));
        return topics;
    }

    @Test
    void sysTopics_areTheOnesMosquittoPublishes() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO), "mosquitto not installed");
        int mosquittoPort = freePort();
        Path mosquittoConf = conf("mosquitto.conf", mosquittoPort, "allow_anonymous true", "sys_interval 1",
                "user " + System.getProperty("user.name"));
        Process mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c", mosquittoConf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        Set<String> theirs;
        try {
            Thread.sleep(300);
            theirs = topics(collect(mosquittoPort, 3, "-t", "$SYS/#"));
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor(5, TimeUnit.SECONDS);
        }
        int port = freePort();
        try (Broker broker = starling(port, "allow_anonymous true", "sys_interval 1")) {
            Set<String> ours = topics(collect(port, 3, "-t", "$SYS/#"));

            assertThat(theirs).as("mosquitto's $SYS topics; log: %s", Files.readString(dir.resolve("mosquitto.log")))
                    .hasSizeGreaterThan(40);
            assertThat(ours).as("mosquitto's topics, and Starling's own under %s", SysTree.STARLING_ONLY)
                    .filteredOn(t -> SysTree.STARLING_ONLY.stream().noneMatch(t::startsWith)).containsExactlyInAnyOrderElementsOf(theirs);
            assertThat(ours).contains(SysTree.PREFIX + "password_checks/refused/queue_full",
                    SysTree.PREFIX + "overload/read_paused/output");
        }
    }

    @Test
    void sysMessages_areRetainedAtQos2WithMosquittosPayloadFormats() throws Exception {
        int port = freePort();
        try (Broker broker = starling(port, "allow_anonymous true", "sys_interval 1")) {
            List<String> got = collect(port, 1, "-t", "$SYS/#", "-q", "2");

            assertThat(got).contains("$SYS/broker/version|Starling version " + Broker.VERSION + "|1|2");
            assertThat(got).anyMatch(l -> l.matches("\\$SYS/broker/uptime\\|\\d+ seconds\\|1\\|2"));
            assertThat(got).anyMatch(l -> l.matches("\\$SYS/broker/load/bytes/received/1min\\|\\d+\\.\\d\\d\\|1\\|2"));
            assertThat(got).anyMatch(l -> l.matches("\\$SYS/broker/retained messages/count\\|\\d+\\|1\\|2"));
        }
    }

    @Test
    void clientsConnected_movesWhenAPahoClientConnects() throws Exception {
        int port = freePort();
        try (Broker broker = starling(port, "allow_anonymous true", "sys_interval 1")) {
            LinkedBlockingQueue<String> values = new LinkedBlockingQueue<>();
            MqttClient watcher = new MqttClient("tcp://127.0.0.1:" + port, "watcher", new MemoryPersistence());
            watcher.connect();
            watcher.subscribe("$SYS/broker/clients/connected", 0, (t, m) -> values.add(new String(m.getPayload())));
            assertThat(values.poll(5, TimeUnit.SECONDS)).as("retained value at subscribe").isNotNull();

            MqttClient other = new MqttClient("tcp://127.0.0.1:" + port, "other", new MemoryPersistence());
            other.connect();
            other.publish("some/topic", "x".getBytes(), 1, false);
            String value;
            do {
                value = values.poll(5, TimeUnit.SECONDS);
            } while (value != null && !value.equals("2"));
            assertThat(value).as("clients/connected after a second client connected").isEqualTo("2");

            other.disconnect();
            other.close();
            do {
                value = values.poll(5, TimeUnit.SECONDS);
            } while (value != null && !value.equals("1"));
            assertThat(value).as("clients/connected after it left").isEqualTo("1");
            watcher.disconnect();
            watcher.close();
        }
    }

    @Test
    void publishCounters_countWhatMosquittoPubSent() throws Exception {
        int port = freePort();
        try (Broker broker = starling(port, "allow_anonymous true", "sys_interval 1")) {
            for (int i = 0; i < 3; i++) {
                MosquittoClients.Result r = MosquittoClients.pub(port, TIMEOUT, "-t", "count/me", "-m", "1234", "-q", "1");
                assertThat(r.exitCode()).isZero();
            }
            Thread.sleep(1500); // one more sys_interval

            List<String> got = collect(port, 1, "-t", "$SYS/broker/publish/#");

            assertThat(got).contains("$SYS/broker/publish/messages/received|3|1|0",
                    "$SYS/broker/publish/bytes/received|12|1|0");
        }
    }

    @Test
    void sysIntervalZero_publishesNothing() throws Exception {
        int port = freePort();
        try (Broker broker = starling(port, "allow_anonymous true", "sys_interval 0")) {
            assertThat(collect(port, 2, "-t", "$SYS/#")).isEmpty();
            assertThat(broker.core().retained().size()).isZero();
        }
    }

    @Test
    void sysTopics_reachOnlyUsersTheAclLetsReadThem() throws Exception {
        Path passwords = Files.writeString(dir.resolve("passwd"), "admin:" + PasswordHash.hash7("secret") + "\n"
                + "bob:" + PasswordHash.hash7("builder") + "\n");
        Path acl = Files.writeString(dir.resolve("acl"), "user admin\ntopic read $SYS/#\n\nuser bob\ntopic readwrite bob/#\n");
        int port = freePort();
        try (Broker broker = starling(port, "sys_interval 1", "password_file " + passwords, "acl_file " + acl)) {
            List<String> admin = collect(port, 2, "-t", "$SYS/#", "-u", "admin", "-P", "secret");
            List<String> bob = collect(port, 2, "-t", "$SYS/#", "-u", "bob", "-P", "builder");

            assertThat(admin).anyMatch(l -> l.startsWith("$SYS/broker/version|"));
            assertThat(bob).isEmpty();
        }
    }
}
