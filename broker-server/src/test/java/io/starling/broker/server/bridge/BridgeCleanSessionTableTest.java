package io.starling.broker.server.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.server.bridge.MosquittoBridgeInteropTest.Subscriber;
import io.starling.broker.server.security.MosquittoBroker;
import io.starling.broker.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code cleansession} × {@code local_cleansession} table, with Debian's mosquitto 2.0 as the oracle: the same
 * bridge lines on mosquitto and on Starling, to a remote mosquitto that keeps its sessions across a restart
 * ({@code persistence true}); while the remote is down a QoS 1 message is published for it on the bridging broker,
 * and once it is back (before the bridge reconnects) one is published there for the bridging broker's side. What
 * arrives in each direction must be what arrives with mosquitto bridging.
 */
@Timeout(180)
class BridgeCleanSessionTableTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "cleansession {0}, local_cleansession {1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void whatIsQueuedWhileTheLinkIsDown_isWhatMosquittoQueues(boolean clean, boolean localClean) throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto is not installed");
        String mosquittoBridging = run("mq", clean, localClean, true);
        String starlingBridging = run("st", clean, localClean, false);
        System.out.println("BridgeCleanSessionTableTest cleansession " + clean + ", local_cleansession " + localClean
                + ": mosquitto " + mosquittoBridging + ", Starling " + starlingBridging);
        assertThat(starlingBridging).isEqualTo(mosquittoBridging);
    }

    /** One round; answers what arrived: "out:[...] in:[...]". */
    private String run(String tag, boolean clean, boolean localClean, boolean mosquittoBridges) throws Exception {
        String id = "tt-" + tag + "-" + clean + "-" + localClean;
        Path remoteDb = Files.createDirectories(dir.resolve("db-" + id));
        String[] remoteLines = {"allow_anonymous true", "persistence true", "persistence_location " + remoteDb + "/"};
        MosquittoBroker remote = MosquittoBroker.start(dir, "remote-" + id, remoteLines);
        int remotePort = remote.port();
        List<String> bridge = List.of("allow_anonymous true", "connection t", "address 127.0.0.1:" + remotePort,
                "remote_clientid " + id, "cleansession " + clean, "local_cleansession " + localClean,
                "restart_timeout 5", "topic out/# out 1", "topic in/# in 1");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            int edgePort;
            if (mosquittoBridges) {
                MosquittoBroker edge = MosquittoBroker.start(dir, "edge-" + id, bridge.toArray(String[]::new));
                open.add(edge);
                edgePort = edge.port();
            } else {
                edgePort = FreePorts.freePort();
                List<String> lines = new ArrayList<>(List.of("listener " + edgePort + " 127.0.0.1"));
                lines.addAll(bridge);
                Path conf = dir.resolve("edge-" + id + ".conf");
                Files.write(conf, lines);
                open.add(Broker.start(ConfigFile.read(conf)));
            }
            Subscriber onEdge = new Subscriber(edgePort, "in/#");
            open.add(onEdge);
            List<String> out = new java.util.concurrent.CopyOnWriteArrayList<>();
            MqttClient onRemote = MosquittoBridgeInteropTest.persistentSubscriber(remotePort, "sub-" + id, "out/#", 1, out);
            awaitLink(edgePort, remotePort, onEdge, out);

            onRemote.disconnect();
            remote.close(); // mosquitto saves its sessions as it stops
            Thread.sleep(500);
            publish(edgePort, "out/while-down");
            remote = MosquittoBroker.startOn(dir, "remote-" + id, remotePort, remoteLines);
            publish(remotePort, "in/while-down"); // before the bridge is back (restart_timeout 5)
            onRemote = MosquittoBridgeInteropTest.persistentSubscriber(remotePort, "sub-" + id, "out/#", 1, out);
            Thread.sleep(12_000); // the bridge reconnects within restart_timeout (5 s) and passes what was queued
            List<String> in = onEdge.within(0);
            onRemote.disconnect();
            onRemote.close();
            return "out:" + out + " in:" + in;
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            remote.close();
        }
    }

    /** Until a probe each way arrives; then forgets the probes. */
    private static void awaitLink(int edge, int remote, Subscriber onEdge, List<String> out) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        boolean outOk = false;
        boolean inOk = false;
        while (System.nanoTime() < deadline && !(outOk && inOk)) {
            if (!outOk) {
                publish(edge, "out/probe");
            }
            if (!inOk) {
                publish(remote, "in/probe");
            }
            Thread.sleep(300);
            outOk = outOk || out.stream().anyMatch(s -> s.startsWith("out/probe"));
            inOk = inOk || onEdge.within(0).stream().anyMatch(s -> s.startsWith("in/probe"));
        }
        assertThat(outOk && inOk).as("the bridge passes messages both ways").isTrue();
        Thread.sleep(500);
        out.clear();
        onEdge.within(0);
    }

    private static void publish(int port, String topic) throws Exception {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, "pub-" + System.nanoTime(), new MemoryPersistence());
        c.connect();
        c.publish(topic, "m".getBytes(StandardCharsets.UTF_8), 1, false);
        c.disconnect();
        c.close();
    }
}
