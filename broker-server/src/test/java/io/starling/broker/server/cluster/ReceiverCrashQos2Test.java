package io.starling.broker.server.cluster;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.link.LinkLoops;
import io.starling.broker.cluster.link.NodeLinks;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.server.Broker;
import io.starling.broker.server.FailOnLeaks;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.broker.transport.EventLoops;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 point 7, a receiving node that dies between its durable write of a forwarded QoS 2 message
 * and its link acknowledgement: two real brokers with persistence, node links between them entered by
 * hand (as in {@link NodeLinksBrokersTest}). B's acknowledgements are swallowed by a proxy on the link,
 * so that A never hears that B has the message, as when B dies before the ack is on the wire; B is then
 * stopped and started again on its store, A sends the message again, and B's persistent QoS 2
 * subscriber gets it exactly once.
 */
@ExtendWith(FailOnLeaks.class)
class ReceiverCrashQos2Test {
    private static final NodeId A = new NodeId("a");
    private static final NodeId B = new NodeId("b");
    private static final long TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;
    private final EventLoops linkLoops = new EventLoops(2);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // closed with its broker already
            }
        }
        linkLoops.close();
    }

    @Test
    void qos2MessageForwardedToANodeThatDiedBeforeItsAck_isDeliveredOnceAfterItRestarts() throws Exception {
        Path confA = conf("a");
        Path confB = conf("b");
        Broker a = start(confA);
        NodeLinks linksA = links(A, a, 1);
        Broker b = Broker.start(ConfigFile.read(confB));
        AtomicBoolean bStopped = new AtomicBoolean();
        open.add(() -> {
            if (!bStopped.get()) {
                b.close();
            }
        });
        NodeLinks linksB = links(B, b, 1);
        a.core().subscriptions().subscribe("t", linksA.remoteNode(B),
                new SubscriberOptions(SubscriptionOptions.of(QoS.EXACTLY_ONCE), 0));

        try (RawMqttClient sub = RawMqttClient.open("127.0.0.1", b.port())) {
            sub.connect(persistent("sub"));
            sub.subscribe(1, "t", QoS.EXACTLY_ONCE);
            sub.disconnect(); // offline: the forwarded message goes to its stored queue
        }
        AckSwallowingProxy proxy = new AckSwallowingProxy(linksB.address());
        open.add(proxy);
        linksA.nodeAt(B, proxy.address());
        waitFor(() -> linksA.isConnected(B), "the link from A to B");
        proxy.swallowReplies = true;

        Mqtt5BlockingClient publisher = MqttClient.builder().useMqttVersion5().identifier("pub")
                .serverHost("127.0.0.1").serverPort(a.port()).buildBlocking();
        publisher.connect();
        open.add(publisher::disconnect);
        publisher.publishWith().topic("t").payload("once".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.EXACTLY_ONCE).send();
        waitFor(() -> proxy.swallowed.get() > 0, "B's ack, sent once its store had the message");
        assertThat(linksA.unacknowledged(B)).as("A still holds it").isOne();

        // B dies: its ack never reached A. (Its store has the message: the ack waited for that.)
        linksB.close();
        b.close();
        bStopped.set(true);
        proxy.close();

        Broker restarted = start(confB);
        NodeLinks linksB2 = links(B, restarted, 2);
        linksA.nodeAt(B, linksB2.address());
        waitFor(() -> linksA.unacknowledged(B) == 0, "A's resend acknowledged by the restarted B");
        publisher.publishWith().topic("t").payload("after".getBytes(StandardCharsets.UTF_8)).qos(MqttQos.EXACTLY_ONCE).send();
        waitFor(() -> linksA.unacknowledged(B) == 0, "the next message acknowledged by B");

        try (RawMqttClient sub = RawMqttClient.open("127.0.0.1", restarted.port())) {
            sub.connect(persistent("sub"));
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Publish p = sub.receive(Publish.class, Duration.ofSeconds(20));
                got.add(RawMqttClient.payloadOf(p));
            }
            assertThat(got).as("once each, in order").containsExactly("once", "after");
        }
        assertThat(linksB2.counters(A).duplicatesIn.sum()).as("the resend, known as one").isOne();
        assertThat(linksB2.counters(A).forwardedIn.sum()).as("routed after the restart: only the next one").isOne();
    }

    private Path conf(String node) throws IOException {
        Path store = Files.createDirectories(dir.resolve(node + "-store"));
        return Files.writeString(dir.resolve(node + ".conf"), "listener " + freePort() + " 127.0.0.1\nallow_anonymous true\n"
                + "persistence true\npersistence_location " + store + "/\n");
    }

    private Broker start(Path conf) throws Exception {
        Broker broker = Broker.start(ConfigFile.read(conf));
        open.add(broker::close);
        return broker;
    }

    private NodeLinks links(NodeId node, Broker broker, long incarnation) throws InterruptedException {
        NodeLinks links = NodeLinks.start(node, incarnation, broker.core(), new LinkLoops(linkLoops.workers(),
                linkLoops.serverChannel(), linkLoops.socketChannel(), linkLoops.outboxes()),
                new InetSocketAddress("127.0.0.1", 0));
        open.add(links);
        return links;
    }

    private static Connect persistent(String clientId) {
        return new Connect(MqttVersion.MQTT_5, clientId, false, 60, null, null, null,
                Properties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 3600).build());
    }


    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /**
     * A TCP relay in front of B's link port: A's frames go through; B's answers go back until
     * {@link #swallowReplies}, then are counted and dropped.
     */
    private static final class AckSwallowingProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final InetSocketAddress target;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        volatile boolean swallowReplies;
        final AtomicLong swallowed = new AtomicLong();

        AckSwallowingProxy(InetSocketAddress target) throws IOException {
            this.target = target;
            daemon(this::accept);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        private void accept() {
            try {
                while (true) {
                    Socket in = server.accept();
                    Socket out = new Socket(target.getAddress(), target.getPort());
                    sockets.add(in);
                    sockets.add(out);
                    daemon(() -> pump(in, out, false));
                    daemon(() -> pump(out, in, true));
                }
            } catch (IOException closed) {
                // the proxy is closed
            }
        }

        private void pump(Socket from, Socket to, boolean replies) {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (replies && swallowReplies) {
                        swallowed.addAndGet(n);
                    } else {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException closed) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "ack-swallowing-proxy");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            sockets.forEach(AckSwallowingProxy::closeQuietly);
        }
    }
}
