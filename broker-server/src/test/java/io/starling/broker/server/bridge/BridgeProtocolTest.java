package io.starling.broker.server.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.FreePorts;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Starling bridge against a fake remote broker written with raw packets, for what a real broker does not let a
 * test provoke: the CONNECT the bridge sends, its resends after a lost connection (QoS 1 with DUP and the same
 * packet id; QoS 2 as PUBREL once PUBREC came), a remote PUBLISH to a wildcard, a 3.x broker refusing 5.0.
 */
@Timeout(60)
class BridgeProtocolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private ServerSocket remote;

    @AfterEach
    void closeAll() throws IOException {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (remote != null) {
            remote.close();
        }
    }

    @Test
    void connect_isMosquittosBridgeConnect_withTheNotificationWillAndTheBridgeBit() throws Exception {
        startBridge("remote_clientid edge-1", "cleansession false", "keepalive_interval 30", "remote_username u",
                "remote_password p", "topic a/# both 1");
        RawMqttClient r = accept();
        Connect c = r.receive(Connect.class, WAIT);
        assertThat(c.version()).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(c.bridge()).isTrue();
        assertThat(c.clientId()).isEqualTo("edge-1");
        assertThat(c.cleanStart()).isFalse();
        assertThat(c.keepAlive()).isEqualTo(30);
        assertThat(c.username()).isEqualTo("u");
        assertThat(new String(c.password())).isEqualTo("p");
        assertThat(c.will().topic()).isEqualTo("$SYS/broker/connection/edge-1/state");
        assertThat(new String(c.will().payload())).isEqualTo("0");
        assertThat(c.will().retain()).isTrue();
        r.send(new ConnAck(false, 0, Properties.EMPTY));
        Publish state = r.receive(Publish.class, WAIT);
        assertThat(state.topic()).isEqualTo("$SYS/broker/connection/edge-1/state");
        assertThat(RawMqttClient.payloadOf(state)).isEqualTo("1");
        assertThat(state.retain()).isTrue();
        Subscribe s = r.receive(Subscribe.class, WAIT);
        assertThat(s.subscriptions()).extracting(x -> x.filter()).containsExactly("a/#");
    }

    @Test
    void mqtt5Connect_asksTheRemoteToKeepTheSession_whenCleansessionIsFalse() throws Exception {
        startBridge("remote_clientid edge-5", "cleansession false", "bridge_protocol_version mqttv50", "topic a/# in 2");
        Connect c = accept().receive(Connect.class, WAIT);
        assertThat(c.version()).isEqualTo(MqttVersion.MQTT_5);
        assertThat(c.bridge()).isFalse();
        assertThat(c.properties().number(PropertyId.SESSION_EXPIRY_INTERVAL, 0)).isEqualTo(0xFFFFFFFFL);
    }

    @Test
    void mqtt5Bridge_subscribesWithNoLocalAndRetainAsPublished_andHonoursTheRemotesReceiveMaximum() throws Exception {
        Broker b = startBridge("remote_clientid edge-rm", "bridge_protocol_version mqttv50", "topic in/# in 1",
                "topic out/# out 1");
        try (RawMqttClient pub = RawMqttClient.open(b.port())) { // queued for the bridge before it connects
            pub.connect("pub", true, 30);
            for (int i = 1; i <= 5; i++) {
                pub.send(RawMqttClient.publishPacket("out/" + i, "m" + i, QoS.AT_LEAST_ONCE, i));
                pub.receive(PubAck.class);
            }
        }
        RawMqttClient r = accept();
        r.receive(Connect.class, WAIT);
        r.send(new ConnAck(false, 0, Properties.builder().number(PropertyId.RECEIVE_MAXIMUM, 2).build()));
        Subscribe s = null;
        boolean unsubscribed = false;
        while (s == null || !unsubscribed) {
            Packet p = r.receive(WAIT);
            if (p instanceof Subscribe sub) {
                s = sub;
                r.send(new SubAck(s.packetId(), List.of(1), Properties.EMPTY));
            } else if (p instanceof Unsubscribe u) {
                unsubscribed = true;
                r.send(new UnsubAck(u.packetId(), List.of(0), Properties.EMPTY));
            }
        }
        assertThat(s.subscriptions()).hasSize(1);
        assertThat(s.subscriptions().get(0).options().noLocal()).isTrue();
        assertThat(s.subscriptions().get(0).options().retainAsPublished()).isTrue();
        List<Publish> first = new ArrayList<>();
        first.add(r.receive(Publish.class, WAIT));
        first.add(r.receive(Publish.class, WAIT));
        assertThat(r.poll(Duration.ofSeconds(1))).as("no third message before an acknowledgement").isEmpty();
        r.send(new PubAck(first.get(0).packetId(), 0, Properties.EMPTY));
        assertThat(RawMqttClient.payloadOf(r.receive(Publish.class, WAIT))).isEqualTo("m3");
    }

    @Test
    void retainedMessagesOnOutTopics_goToTheRemoteOnEachConnect_withTheirRetainFlag() throws Exception {
        Broker b = startBridge("remote_clientid edge-ret", "restart_timeout 1", "topic out/# out 1", "topic in/# in 1");
        try (RawMqttClient pub = RawMqttClient.open(b.port())) {
            pub.connect("pub", true, 30);
            pub.send(new Publish(false, QoS.AT_LEAST_ONCE, true, "out/kept", 1, Properties.EMPTY,
                    io.netty.buffer.Unpooled.copiedBuffer("k", java.nio.charset.StandardCharsets.UTF_8)));
            pub.receive(PubAck.class);
        }
        for (int round = 0; round < 2; round++) {
            RawMqttClient r = connected(2);
            Publish p = r.receive(Publish.class, WAIT);
            assertThat(p.topic()).isEqualTo("out/kept");
            assertThat(p.retain()).isTrue();
            r.send(new PubAck(p.packetId(), 0, Properties.EMPTY));
            r.close();
        }
    }

    @Test
    void remoteWithoutMqtt5_isConnectedToAgainIn311() throws Exception {
        startBridge("remote_clientid edge-f", "bridge_protocol_version mqttv50", "restart_timeout 1", "topic a/# in 0");
        RawMqttClient first = accept();
        assertThat(first.receive(Connect.class, WAIT).version()).isEqualTo(MqttVersion.MQTT_5);
        first.send(RawMqttClient.hex("20 02 00 01")); // a 3.1.1 broker's "unacceptable protocol version"
        RawMqttClient second = accept();
        assertThat(second.receive(Connect.class, WAIT).version()).isEqualTo(MqttVersion.MQTT_3_1_1);
    }

    @Test
    void unacknowledgedQos1_goesAgainWithDupAndItsPacketId_afterTheConnectionIsLost() throws Exception {
        Broker b = startBridge("remote_clientid edge-q1", "cleansession false", "restart_timeout 1",
                "topic out/# out 1");
        RawMqttClient r = connected();
        try (RawMqttClient pub = RawMqttClient.open(b.port())) {
            pub.connect("pub", true, 30);
            pub.send(RawMqttClient.publishPacket("out/x", "hello", QoS.AT_LEAST_ONCE, 7));
            pub.receive(PubAck.class);
        }
        Publish first = r.receive(Publish.class, WAIT);
        assertThat(first.dup()).isFalse();
        r.close(); // no PUBACK
        RawMqttClient again = connected();
        Publish second = again.receive(Publish.class, WAIT);
        assertThat(second.dup()).isTrue();
        assertThat(second.packetId()).isEqualTo(first.packetId());
        assertThat(second.topic()).isEqualTo("out/x");
        assertThat(RawMqttClient.payloadOf(second)).isEqualTo("hello");
        again.send(new PubAck(second.packetId(), 0, Properties.EMPTY));
        assertThat(again.poll(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void qos2PastPubRec_goesAgainAsPubRel_afterTheConnectionIsLost() throws Exception {
        Broker b = startBridge("remote_clientid edge-q2", "cleansession false", "restart_timeout 1",
                "topic out/# out 2");
        RawMqttClient r = connected();
        try (RawMqttClient pub = RawMqttClient.open(b.port())) {
            pub.connect("pub", true, 30);
            pub.send(RawMqttClient.publishPacket("out/x", "once", QoS.EXACTLY_ONCE, 9));
            pub.receive(PubRec.class);
            pub.send(new PubRel(9, 0, Properties.EMPTY));
            pub.receive(PubComp.class);
        }
        Publish p = r.receive(Publish.class, WAIT);
        r.send(new PubRec(p.packetId(), 0, Properties.EMPTY));
        assertThat(r.receive(PubRel.class, WAIT).packetId()).isEqualTo(p.packetId());
        r.close(); // no PUBCOMP
        RawMqttClient again = connected();
        Packet next = again.receive(WAIT);
        assertThat(next).isInstanceOf(PubRel.class);
        assertThat(((PubRel) next).packetId()).isEqualTo(p.packetId());
        again.send(new PubComp(p.packetId(), 0, Properties.EMPTY));
        assertThat(again.poll(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void qos2FromTheRemote_reachesLocalSubscribersOnce_evenWhenThePublishComesTwice() throws Exception {
        Broker b = startBridge("remote_clientid edge-in2", "cleansession false", "local_cleansession false",
                "restart_timeout 1", "topic in/# in 2");
        RawMqttClient sub = RawMqttClient.open(b.port());
        open.add(sub);
        sub.connect("sub", true, 30);
        sub.subscribe(1, "in/#", QoS.EXACTLY_ONCE);
        RawMqttClient r = connected();
        Publish p = RawMqttClient.publishPacket("in/x", "one", QoS.EXACTLY_ONCE, 42);
        r.send(p);
        assertThat(r.receive(PubRec.class, WAIT).packetId()).isEqualTo(42);
        r.close(); // PUBREC seen, no PUBREL: the remote sends the PUBLISH again after the reconnect, as DUP
        RawMqttClient again = connected();
        again.send(new Publish(true, QoS.EXACTLY_ONCE, false, "in/x", 42, Properties.EMPTY,
                io.netty.buffer.Unpooled.copiedBuffer("one", java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(again.receive(PubRec.class, WAIT).packetId()).isEqualTo(42);
        again.send(new PubRel(42, 0, Properties.EMPTY));
        assertThat(again.receive(PubComp.class, WAIT).packetId()).isEqualTo(42);
        Publish got = sub.receive(Publish.class, WAIT);
        assertThat(RawMqttClient.payloadOf(got)).isEqualTo("one");
        sub.send(new PubRec(got.packetId(), 0, Properties.EMPTY));
        sub.receive(PubRel.class);
        sub.send(new PubComp(got.packetId(), 0, Properties.EMPTY));
        assertThat(sub.poll(Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void smallAndLargePayloads_goOutWhole() throws Exception {
        Broker b = startBridge("remote_clientid edge-size", "topic out/# out 1");
        RawMqttClient r = connected();
        String large = "L".repeat(5000); // shared with the message, not copied
        try (RawMqttClient pub = RawMqttClient.open(b.port())) {
            pub.connect("pub", true, 30);
            pub.send(RawMqttClient.publishPacket("out/small", "s", QoS.AT_LEAST_ONCE, 1));
            pub.receive(PubAck.class);
            pub.send(RawMqttClient.publishPacket("out/large", large, QoS.AT_LEAST_ONCE, 2));
            pub.receive(PubAck.class);
        }
        Publish small = r.receive(Publish.class, WAIT);
        Publish big = r.receive(Publish.class, WAIT);
        assertThat(RawMqttClient.payloadOf(small)).isEqualTo("s");
        assertThat(big.topic()).isEqualTo("out/large");
        assertThat(RawMqttClient.payloadOf(big)).isEqualTo(large);
        r.send(new PubAck(small.packetId(), 0, Properties.EMPTY));
        r.send(new PubAck(big.packetId(), 0, Properties.EMPTY));
        try (RawMqttClient c = RawMqttClient.open(b.port())) {
            c.connect("after", true, 30);
            c.ping();
        }
    }

    @Test
    void remotePacketOverBridgeMaxPacketSize_closesTheBridgeConnection() throws Exception {
        startBridge("remote_clientid edge-big", "restart_timeout 1", "bridge_max_packet_size 100", "topic in/# in 0");
        RawMqttClient r = connected();
        r.send(RawMqttClient.publishPacket("in/big", "x".repeat(200), QoS.AT_MOST_ONCE, 0));
        assertThat(r.isClosedWithin(WAIT)).isTrue();
        connected(); // and it connects again
    }

    @Test
    void remotePublishToAWildcard_closesTheBridgeConnection_andTheBrokerGoesOn() throws Exception {
        Broker b = startBridge("remote_clientid edge-w", "restart_timeout 1", "topic in/# in 0");
        RawMqttClient r = connected();
        r.send(RawMqttClient.publishPacket("++++++", "x", QoS.AT_MOST_ONCE, 0));
        assertThat(r.isClosedWithin(WAIT)).isTrue();
        connected(); // and it connects again
        try (RawMqttClient c = RawMqttClient.open(b.port())) {
            c.connect("still-here", true, 30);
            c.ping();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "QoS {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void messagesForTheRemote_queuedBeforeItWasEverReached_surviveARestartOfThisBroker(int qos) throws Exception {
        int remotePort = FreePorts.freePort(); // nobody listens there yet
        int port = FreePorts.freePort();
        Path conf = dir.resolve("persistent.conf");
        Files.write(conf, List.of("listener " + port + " 127.0.0.1", "allow_anonymous true", "persistence true",
                "persistence_location " + dir.resolve("db") + "/", "connection r", "address 127.0.0.1:" + remotePort,
                "remote_clientid edge-p", "cleansession false", "restart_timeout 1", "topic out/# out " + qos));
        Files.createDirectories(dir.resolve("db"));
        try (Broker first = Broker.start(ConfigFile.read(conf))) {
            Thread.sleep(500); // the bridge's local session subscribes at start
            try (RawMqttClient pub = RawMqttClient.open(port)) {
                pub.connect("pub", true, 30);
                for (int i = 1; i <= 5; i++) {
                    pub.send(RawMqttClient.publishPacket("out/" + i, "m" + i, QoS.of(qos), i));
                    if (qos == 1) {
                        pub.receive(PubAck.class);
                    } else {
                        pub.receive(PubRec.class);
                        pub.send(new PubRel(i, 0, Properties.EMPTY));
                        pub.receive(PubComp.class);
                    }
                }
            }
        }
        Broker second = Broker.start(ConfigFile.read(conf));
        open.add(second);
        remote = new ServerSocket();
        remote.setReuseAddress(true);
        remote.bind(new InetSocketAddress("127.0.0.1", remotePort));
        remote.setSoTimeout((int) WAIT.toMillis());
        RawMqttClient r = connected();
        List<String> got = new ArrayList<>();
        int released = 0;
        while (got.size() < 5 || qos == 2 && released < 5) {
            Packet next = r.receive(WAIT);
            if (next instanceof Publish p) {
                got.add(p.topic() + " " + RawMqttClient.payloadOf(p) + " q" + p.qos().value());
                r.send(qos == 1 ? new PubAck(p.packetId(), 0, Properties.EMPTY) : new PubRec(p.packetId(), 0, Properties.EMPTY));
            } else if (next instanceof PubRel rel) {
                released++;
                r.send(new PubComp(rel.packetId(), 0, Properties.EMPTY));
            }
        }
        assertThat(got).containsExactly("out/1 m1 q" + qos, "out/2 m2 q" + qos, "out/3 m3 q" + qos, "out/4 m4 q" + qos,
                "out/5 m5 q" + qos);
    }

    @Test
    void withoutRoundRobin_theBridgeGoesBackToTheFirstAddress_whenItAnswersAgain() throws Exception {
        int firstPort = FreePorts.freePort(); // down at first
        startBridgeTo("addresses 127.0.0.1:" + firstPort + " 127.0.0.1:%d", "remote_clientid edge-rr",
                "restart_timeout 1", "topic a/# in 0");
        RawMqttClient second = connected(); // on the second address
        try (ServerSocket first = new ServerSocket()) {
            first.setReuseAddress(true);
            first.bind(new InetSocketAddress("127.0.0.1", firstPort));
            first.setSoTimeout((int) WAIT.toMillis());
            assertThat(second.isClosedWithin(WAIT)).isTrue();
            RawMqttClient back = acceptConnect(first);
            assertThat(back).isNotNull();
        }
    }

    @Test
    void withRoundRobin_theBridgeStaysOnTheAddressThatWorks() throws Exception {
        int firstPort = FreePorts.freePort();
        startBridgeTo("addresses 127.0.0.1:" + firstPort + " 127.0.0.1:%d", "remote_clientid edge-rr2",
                "round_robin true", "restart_timeout 1", "topic a/# in 0");
        RawMqttClient second = connected();
        try (ServerSocket first = new ServerSocket()) {
            first.setReuseAddress(true);
            first.bind(new InetSocketAddress("127.0.0.1", firstPort));
            assertThat(second.isClosedWithin(Duration.ofSeconds(3))).isFalse();
        }
    }

    @Test
    void lazyBridge_connectsAtItsThreshold_withQos0Queued_andStopsWhenIdle() throws Exception {
        Broker b = startBridge("remote_clientid edge-lazy", "start_type lazy", "threshold 3", "idle_timeout 2",
                "topic out/# out 0");
        try (RawMqttClient pub = RawMqttClient.open(b.port())) {
            pub.connect("pub", true, 30);
            pub.send(RawMqttClient.publishPacket("out/1", "a", QoS.AT_MOST_ONCE, 0));
            pub.send(RawMqttClient.publishPacket("out/2", "b", QoS.AT_MOST_ONCE, 0));
            pub.ping();
            remote.setSoTimeout(2000);
            assertThat(org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class,
                    () -> remote.accept())).isNotNull();
            remote.setSoTimeout((int) WAIT.toMillis());
            pub.send(RawMqttClient.publishPacket("out/3", "c", QoS.AT_MOST_ONCE, 0));
            pub.ping();
        }
        RawMqttClient r = connected();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Publish p = r.receive(Publish.class, WAIT);
            got.add(p.topic() + " " + RawMqttClient.payloadOf(p));
        }
        assertThat(got).containsExactly("out/1 a", "out/2 b", "out/3 c");
        assertThat(r.receive(io.starling.mqtt.codec.Disconnect.class, WAIT)).isNotNull(); // idle for 2 s
        assertThat(r.isClosedWithin(WAIT)).isTrue();
    }

    @Test
    void bridgeState_andCounters_areIn$SysAndMetrics() throws Exception {
        int api = FreePorts.freePort();
        Broker b = startBridge("remote_clientid edge-sys", "topic out/# out 1",
                "listener " + api + " 127.0.0.1", "protocol http_api", "sys_interval 1");
        RawMqttClient r = connected();
        try (RawMqttClient pub = RawMqttClient.open(b.port())) {
            pub.connect("pub", true, 30);
            pub.send(RawMqttClient.publishPacket("out/x", "m", QoS.AT_LEAST_ONCE, 1));
            pub.receive(PubAck.class);
        }
        Publish p = r.receive(Publish.class, WAIT);
        r.send(new PubAck(p.packetId(), 0, Properties.EMPTY));
        try (RawMqttClient sys = RawMqttClient.open(b.port())) {
            sys.connect("sys", true, 30);
            sys.subscribe(1, "$SYS/broker/bridges/r/#", QoS.AT_MOST_ONCE);
            java.util.Map<String, String> seen = new java.util.HashMap<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && !("1".equals(seen.get("$SYS/broker/bridges/r/messages/sent"))
                    && "1".equals(seen.get("$SYS/broker/bridges/r/connections")))) {
                sys.poll(Duration.ofMillis(500)).ifPresent(x -> {
                    if (x instanceof Publish sp) {
                        seen.put(sp.topic(), RawMqttClient.payloadOf(sp));
                    }
                });
            }
            assertThat(seen).containsEntry("$SYS/broker/bridges/r/connected", "1")
                    .containsEntry("$SYS/broker/bridges/r/messages/sent", "1")
                    .containsEntry("$SYS/broker/bridges/r/connections", "1");
        }
        java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + api + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        java.net.http.HttpResponse<String> listed = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + api + "/api/v1/bridges")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(listed.body()).contains("\"name\":\"r\"", "\"connected\":true", "\"messagesSent\":1");
        assertThat(metrics.body()).contains("starling_bridge_connected{bridge=\"r\"} 1.0")
                .contains("starling_bridge_messages_sent_total{bridge=\"r\"} 1.0");
    }

    // ---- helpers ----

    private Broker startBridge(String... bridgeLines) throws Exception {
        List<String> lines = new ArrayList<>(List.of("address 127.0.0.1:%d"));
        lines.addAll(List.of(bridgeLines));
        return startBridgeTo(lines.toArray(String[]::new));
    }

    /** A broker whose bridge {@code r} has the given lines; {@code %d} in the first is the fake remote's port. */
    private Broker startBridgeTo(String... bridgeLines) throws Exception {
        remote = new ServerSocket();
        remote.bind(new InetSocketAddress("127.0.0.1", 0));
        remote.setSoTimeout((int) WAIT.toMillis());
        int port = FreePorts.freePort();
        bridgeLines[0] = String.format(bridgeLines[0], remote.getLocalPort());
        List<String> lines = new ArrayList<>(List.of("listener " + port + " 127.0.0.1", "allow_anonymous true",
                "connection r"));
        lines.addAll(List.of(bridgeLines));
        Path conf = dir.resolve("starling.conf");
        Files.write(conf, lines);
        Broker b = Broker.start(ConfigFile.read(conf));
        open.add(b);
        return b;
    }

    /** Accepts until a connection sends CONNECT (the bridge's probe of an address connects and closes at once). */
    private RawMqttClient acceptConnect(ServerSocket server) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            RawMqttClient c = RawMqttClient.accepted(server.accept());
            open.add(c);
            try {
                if (c.poll(Duration.ofSeconds(2)).orElse(null) instanceof Connect) {
                    return c;
                }
            } catch (AssertionError closed) {
                // the probe: closed without a packet
            }
        }
        return null;
    }

    private RawMqttClient accept() throws IOException {
        RawMqttClient c = RawMqttClient.accepted(remote.accept());
        open.add(c);
        return c;
    }

    /** Accepts the bridge, answers its CONNECT and its SUBSCRIBE or UNSUBSCRIBE; returns when the bridge is relaying. */
    private RawMqttClient connected() throws IOException {
        return connected(1);
    }

    /** The same, for a bridge with both {@code in} and {@code out}-only lines ({@code acks} 2: SUBSCRIBE and UNSUBSCRIBE). */
    private RawMqttClient connected(int acks) throws IOException {
        RawMqttClient r = accept();
        r.receive(Connect.class, WAIT);
        r.send(new ConnAck(true, 0, Properties.EMPTY));
        int acked = 0;
        while (true) {
            Packet p = r.receive(WAIT);
            if (p instanceof Subscribe s) {
                List<Integer> codes = new ArrayList<>();
                s.subscriptions().forEach(x -> codes.add(x.options().qos().value()));
                r.send(new SubAck(s.packetId(), codes, Properties.EMPTY));
                if (++acked == acks) {
                    return r;
                }
                continue;
            }
            if (p instanceof Unsubscribe u) {
                r.send(new UnsubAck(u.packetId(), List.of(), Properties.EMPTY));
                if (++acked == acks) {
                    return r;
                }
                continue;
            }
            if (p instanceof Publish pub && pub.topic().startsWith("$SYS/broker/connection/")) {
                continue; // the bridge's state
            }
            if (p instanceof Publish || p instanceof PubRel) {
                throw new AssertionError("the bridge sent " + p + " before subscribing");
            }
        }
    }
}
