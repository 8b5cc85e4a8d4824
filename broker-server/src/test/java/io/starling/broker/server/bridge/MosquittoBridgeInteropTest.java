package io.starling.broker.server.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.server.security.MosquittoBroker;
import io.starling.broker.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bridges between Starling and Debian's mosquitto 2.0, both ways, driven by Paho clients on each broker: what is
 * published on one side reaches subscribers on the other once (no loop through {@code topic # both}), remapped as
 * mosquitto remaps, and QoS 1 and 2 messages published while the other broker is down arrive once it is back. Skipped
 * when mosquitto is not installed.
 */
@Timeout(120)
class MosquittoBridgeInteropTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void needsMosquitto() {
        assumeTrue(MosquittoBroker.installed(), "mosquitto is not installed");
    }

    @AfterEach
    void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    @ParameterizedTest(name = "bridge_protocol_version {0}")
    @ValueSource(strings = {"mqttv311", "mqttv50"})
    void starlingBridgedToMosquitto_bothWays_deliversEachMessageOnce(String version) throws Exception {
        MosquittoBroker mosquitto = mosquitto("remote", "allow_anonymous true");
        Broker starling = starling("allow_anonymous true", "connection tomq", "address 127.0.0.1:" + mosquitto.port(),
                "remote_clientid edge-" + version, "bridge_protocol_version " + version, "topic t/# both 1");
        exchangeOnceEachWay(starling.port(), mosquitto.port(), "edge-" + version);
        // mosquitto marks a 3.x bridge by the 0x80 bit of its protocol level (try_private); a 5.0 one has none.
        assertThat(mosquitto.log()).contains((version.equals("mqttv311") ? "New bridge connected from" : "New client connected from"))
                .contains(" as edge-" + version);
    }

    @ParameterizedTest(name = "bridge_protocol_version {0}")
    @ValueSource(strings = {"mqttv311", "mqttv50"})
    void mosquittoBridgedToStarling_bothWays_deliversEachMessageOnce(String version) throws Exception {
        Broker starling = starling("allow_anonymous true");
        MosquittoBroker mosquitto = mosquitto("edge", "allow_anonymous true", "connection tost",
                "address 127.0.0.1:" + starling.port(), "remote_clientid mq-" + version,
                "bridge_protocol_version " + version, "topic t/# both 1");
        exchangeOnceEachWay(starling.port(), mosquitto.port(), "mq-" + version);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"starling", "mosquitto"})
    void remappedTopics_areRemappedAsMosquittoRemapsThem(String bridging) throws Exception {
        // The examples of mosquitto.conf(5) and issue 18; the same lines on either broker give the same names.
        String[] topics = {"topic # in 0 local/topic/ remote/topic/", "topic ic/+ in 0 local4/top remote4/tip",
                "topic sensors/# out 0 \"\" site1/"};
        MosquittoBroker remoteMq = null;
        int local;
        int remote;
        if (bridging.equals("starling")) {
            remoteMq = mosquitto("remote", "allow_anonymous true");
            remote = remoteMq.port();
            List<String> lines = new ArrayList<>(List.of("allow_anonymous true", "connection r",
                    "address 127.0.0.1:" + remote));
            lines.addAll(List.of(topics));
            local = starling(lines.toArray(String[]::new)).port();
        } else {
            remote = starling("allow_anonymous true").port();
            List<String> lines = new ArrayList<>(List.of("allow_anonymous true", "connection r",
                    "address 127.0.0.1:" + remote));
            lines.addAll(List.of(topics));
            local = mosquitto("local", lines.toArray(String[]::new)).port();
        }
        Subscriber onLocal = subscribe(local, "local/#", "local4/#");
        Subscriber onRemote = subscribe(remote, "site1/#");
        awaitRoute(remote, local, onLocal, "remote/topic/probe");
        awaitRoute(local, remote, onRemote, "sensors/probe");
        onLocal.drain();
        onRemote.drain();

        publish(remote, "remote/topic/some/thing", "a", 0);
        publish(remote, "remote4/tipic/something", "b", 0);
        publish(local, "sensors/t1", "c", 0);

        assertThat(onLocal.within(2)).containsExactlyInAnyOrder("local/topic/some/thing a", "local4/topic/something b");
        assertThat(onRemote.within(2)).containsExactly("site1/sensors/t1 c");
    }

    @ParameterizedTest(name = "bridge_protocol_version {0}, QoS {1}")
    @CsvSource({"mqttv311,1", "mqttv50,1", "mqttv311,2", "mqttv50,2"})
    void messagesPublishedWhileTheRemoteIsDown_arriveOnceItIsBack(String version, int qos) throws Exception {
        // The remote keeps its sessions across its restart, so its subscriber (a persistent session made before the
        // restart) gets what the bridge passes on whenever it reconnects, even before the subscriber is back.
        Path db = java.nio.file.Files.createDirectories(dir.resolve("remote-db-" + version));
        String[] remoteLines = {"allow_anonymous true", "persistence true", "persistence_location " + db + "/"};
        MosquittoBroker mosquitto = mosquitto("remote", remoteLines);
        int remotePort = mosquitto.port();
        Broker starling = starling("allow_anonymous true", "connection tomq", "address 127.0.0.1:" + remotePort,
                "remote_clientid q-" + version, "bridge_protocol_version " + version, "cleansession false",
                "restart_timeout 2", "topic q/# out " + qos);
        Subscriber state = subscribe(starling.port(), "$SYS/broker/connection/q-" + version + "/state");
        state.await("$SYS/broker/connection/q-" + version + "/state 1");
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        MqttClient onMosquitto = persistentSubscriber(remotePort, "sub-q-" + version, "q/#", qos, got);
        onMosquitto.disconnect();
        onMosquitto.close();
        mosquitto.close();
        open.remove(mosquitto);
        state.await("$SYS/broker/connection/q-" + version + "/state 0");

        for (int i = 1; i <= 20; i++) {
            publish(starling.port(), "q/" + i, "m" + i, qos);
        }
        MosquittoBroker back = MosquittoBroker.startOn(dir, "remote", remotePort, remoteLines);
        open.add(back);
        onMosquitto = persistentSubscriber(remotePort, "sub-q-" + version, "q/#", qos, got);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got.size() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1000); // and nothing twice
        onMosquitto.disconnect();
        onMosquitto.close();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add("q/" + i + " m" + i);
        }
        assertThat(got).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "bridge_protocol_version {0}, QoS {1}")
    @CsvSource({"mqttv311,1", "mqttv50,1", "mqttv311,2", "mqttv50,2"})
    void mosquittoBridgedToStarling_getsWhatWasPublishedForItWhileItsLinkWasDown_afterStarlingRestarts(String version,
            int qos) throws Exception {
        int starlingPort = FreePorts.freePort();
        Path db = java.nio.file.Files.createDirectories(dir.resolve("starling-db-" + version + qos));
        Path conf = dir.resolve("starling-restart.conf");
        java.nio.file.Files.write(conf, List.of("listener " + starlingPort + " 127.0.0.1", "allow_anonymous true",
                "persistence true", "persistence_location " + db + "/"));
        Broker starling = Broker.start(ConfigFile.read(conf));
        open.add(starling);
        MosquittoBroker mosquitto = mosquitto("edge", "allow_anonymous true", "connection tost",
                "address 127.0.0.1:" + starlingPort, "remote_clientid mqr-" + version + qos, "cleansession false",
                "bridge_protocol_version " + version, "restart_timeout 3", "topic s/# in " + qos);
        Subscriber onMosquitto = subscribe(mosquitto.port(), "s/#");
        awaitRoute(starlingPort, mosquitto.port(), onMosquitto, "s/probe");
        onMosquitto.drain();
        starling.close();
        open.remove(starling);
        starling = Broker.start(ConfigFile.read(conf)); // the bridge's session comes back from the store
        open.add(starling);
        for (int i = 1; i <= 10; i++) {
            publish(starlingPort, "s/" + i, "m" + i, qos); // before mosquitto's bridge is back (restart_timeout 3)
        }
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(version.equals("mqttv311") ? 30 : 8);
        while (got.size() < 10 && System.nanoTime() < deadline) {
            String m = onMosquitto.poll(0.5);
            if (m != null) {
                got.add(m);
            }
        }
        got.addAll(onMosquitto.within(1));
        List<String> expected = new ArrayList<>();
        if (version.equals("mqttv311")) {
            for (int i = 1; i <= 10; i++) {
                expected.add("s/" + i + " m" + i);
            }
        }
        // mqttv50: mosquitto 2.0.11's bridge sends no Session Expiry Interval, so its session ends with its connection
        // (MQTT 5 §3.1.2.11.2) and nothing is kept for it: the loss its users report (eclipse/mosquitto 2424, 2793),
        // which Starling's own bridges avoid by sending one.
        assertThat(got).containsExactlyElementsOf(expected);
    }

    /**
     * A Paho client with a persistent session subscribed to {@code filter}, adding "topic payload" of what it gets
     * to {@code got}; the callback is set before the connect, so messages the session kept are not missed.
     */
    static MqttClient persistentSubscriber(int port, String id, String filter, int qos, List<String> got)
            throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        c.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m) {
                got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        c.connect(o);
        c.subscribe(filter, qos);
        return c;
    }

    @ParameterizedTest(name = "bridge_protocol_version {0}")
    @ValueSource(strings = {"mqttv311", "mqttv50"})
    void bridgeOverMutualTls_toMosquitto_withACaMadeByTheTest(String version) throws Exception {
        io.starling.broker.server.tls.TestPki pki = new io.starling.broker.server.tls.TestPki(dir, "bridge");
        MosquittoBroker mosquitto = mosquitto("remote-tls", "allow_anonymous true", "cafile " + pki.ca,
                "certfile " + pki.serverCert, "keyfile " + pki.serverKey, "require_certificate true");
        Broker starling = starling("allow_anonymous true", "connection tls", "address 127.0.0.1:" + mosquitto.port(),
                "remote_clientid tls-" + version, "bridge_protocol_version " + version, "bridge_cafile " + pki.ca,
                "bridge_certfile " + pki.clientCert, "bridge_keyfile " + pki.clientKey, "topic t/# out 1");
        Subscriber state = subscribe(starling.port(), "$SYS/broker/connection/tls-" + version + "/state");
        state.await("$SYS/broker/connection/tls-" + version + "/state 1");
        assertThat(mosquitto.log()).contains(" as tls-" + version);
    }

    @org.junit.jupiter.api.Test
    void bridgeOverTls_toAServerItsCaDoesNotVouchFor_neverConnects_andTheBrokerGoesOn() throws Exception {
        io.starling.broker.server.tls.TestPki server = new io.starling.broker.server.tls.TestPki(dir, "server");
        io.starling.broker.server.tls.TestPki other = new io.starling.broker.server.tls.TestPki(dir, "other");
        MosquittoBroker mosquitto = mosquitto("remote-tls2", "allow_anonymous true", "certfile " + server.serverCert,
                "keyfile " + server.serverKey);
        Broker starling = starling("allow_anonymous true", "connection tls", "address 127.0.0.1:" + mosquitto.port(),
                "remote_clientid tls-bad", "restart_timeout 1", "bridge_cafile " + other.ca, "topic t/# out 1");
        Thread.sleep(3000);
        assertThat(mosquitto.log()).doesNotContain(" as tls-bad");
        publish(starling.port(), "t/x", "still serving", 1);
    }

    // ---- helpers ----

    /**
     * With a bridge {@code topic t/# both} between the two brokers (its state retained on Starling under
     * {@code remoteClientId}): a QoS 1 message published on each broker reaches a subscriber on each, once.
     */
    private void exchangeOnceEachWay(int starlingPort, int mosquittoPort, String remoteClientId) throws Exception {
        Subscriber onStarling = subscribe(starlingPort, "t/#", "$SYS/broker/connection/" + remoteClientId + "/state");
        onStarling.await("$SYS/broker/connection/" + remoteClientId + "/state 1");
        Subscriber onMosquitto = subscribe(mosquittoPort, "t/#");
        awaitRoute(mosquittoPort, starlingPort, onStarling, "t/probe");
        awaitRoute(starlingPort, mosquittoPort, onMosquitto, "t/probe");
        onStarling.drain();
        onMosquitto.drain();

        publish(mosquittoPort, "t/from-mosquitto", "m", 1);
        publish(starlingPort, "t/from-starling", "s", 1);

        assertThat(onStarling.within(2)).containsExactlyInAnyOrder("t/from-mosquitto m", "t/from-starling s");
        assertThat(onMosquitto.within(2)).containsExactlyInAnyOrder("t/from-mosquitto m", "t/from-starling s");
    }

    private MosquittoBroker mosquitto(String name, String... lines) throws Exception {
        MosquittoBroker m = MosquittoBroker.start(dir, name, lines);
        open.add(m);
        return m;
    }

    private Broker starling(String... lines) throws Exception {
        int port = FreePorts.freePort();
        List<String> all = new ArrayList<>(List.of("listener " + port + " 127.0.0.1"));
        all.addAll(List.of(lines));
        Path conf = dir.resolve("starling-" + System.nanoTime() + ".conf");
        Files.write(conf, all);
        Broker b = Broker.start(ConfigFile.read(conf));
        open.add(b);
        return b;
    }

    /** Publishes on {@code from} until {@code sub} (on the other broker) sees it: the bridge's subscriptions are up. */
    private static void awaitRoute(int from, int to, Subscriber sub, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            publish(from, topic, "probe", 0);
            String m = sub.poll(0.5);
            while (m != null) {
                if (m.endsWith(" probe")) {
                    return;
                }
                m = sub.poll(0.1);
            }
        }
        throw new AssertionError("no message from port " + from + " reached port " + to + " within 30 s");
    }

    private static void publish(int port, String topic, String payload, int qos) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "pub-" + System.nanoTime(), new MemoryPersistence());
        c.connect();
        c.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
        c.disconnect();
        c.close();
    }

    private Subscriber subscribe(int port, String... filters) throws MqttException {
        Subscriber s = new Subscriber(port, filters);
        open.add(s);
        return s;
    }

    /** A Paho client subscribed at QoS 1, keeping "topic payload" of what it receives. */
    static final class Subscriber implements AutoCloseable {
        private final MqttClient client;
        private final BlockingQueue<String> got = new LinkedBlockingQueue<>();

        Subscriber(int port, String... filters) throws MqttException {
            client = new MqttClient("tcp://127.0.0.1:" + port, "sub-" + System.nanoTime(), new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            client.connect(o);
            for (String f : filters) {
                client.subscribe(f, 1, (topic, m) -> got.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));
            }
        }

        /** Waits up to 30 s for exactly this message (a bridge state goes 0, then 1). */
        void await(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<String> seen = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                String m = got.poll(200, TimeUnit.MILLISECONDS);
                if (expected.equals(m)) {
                    return;
                }
                if (m != null) {
                    seen.add(m);
                }
            }
            throw new AssertionError("'" + expected + "' not received within 30 s; got " + seen);
        }

        String poll(double seconds) throws InterruptedException {
            return got.poll((long) (seconds * 1000), TimeUnit.MILLISECONDS);
        }

        void drain() throws InterruptedException {
            Thread.sleep(300);
            got.clear();
        }

        /** Everything received within the next {@code seconds}. */
        List<String> within(int seconds) throws InterruptedException {
            Thread.sleep(seconds * 1000L);
            List<String> out = new ArrayList<>();
            got.drainTo(out);
            return out;
        }

        @Override
        public void close() throws MqttException {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }
}
