package io.starling.broker.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The setup from the user's issue, run on mosquitto 2.0.11 and on Starling with the same password
 * and ACL files, and the two records compared. The ACL:
 *
 * <pre>
 * user ceshi
 * topic write V222/#
 * topic read V333/#
 * user ceshi2
 * topic read V222/#
 * </pre>
 *
 * So ceshi may write V222 but not read it, ceshi2 may read it, and nobody may write V333.
 */
@Timeout(120)
class CeshiAclSideBySideTest {
    private static final String CESHI_PASSWORD = "ceshi-secret";
    private static final String CESHI2_PASSWORD = "ceshi2-secret";
    private static final Duration SETTLE = Duration.ofMillis(500);

    @TempDir
    static Path dir;
    private static MosquittoBroker mosquitto;
    private static Broker starling;

    @BeforeAll
    static void startBothBrokers() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto is not installed");
        assumeTrue(SecurityFixtures.mosquittoPasswdInstalled(), "mosquitto_passwd is not installed");
        Path pwfile = dir.resolve("pwfile");
        SecurityFixtures.mosquittoPasswd(pwfile, true, "ceshi", CESHI_PASSWORD);
        SecurityFixtures.mosquittoPasswd(pwfile, false, "ceshi2", CESHI2_PASSWORD);
        Path aclfile = SecurityFixtures.write(dir.resolve("aclfile"),
                "user ceshi",
                "topic write V222/#",
                "topic read V333/#",
                "user ceshi2",
                "topic read V222/#");
        String[] security = {
                "allow_anonymous false",
                "password_file " + pwfile,
                "acl_file " + aclfile};
        mosquitto = MosquittoBroker.start(dir, "mosquitto", security);
        Path starlingConf = SecurityFixtures.conf(dir.resolve("starling.conf"), SecurityFixtures.freePort(), security);
        starling = Broker.start(ConfigFile.read(starlingConf));
    }

    @AfterAll
    static void stopBothBrokers() {
        if (starling != null) {
            starling.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    /** What one run of the scenario observed, in sorted collections so that records compare as equal. */
    record Observed(Map<String, Integer> subacks, Map<String, String> publishes, Map<String, Set<String>> live,
                    Map<String, Set<String>> retained) {
    }

    @Test
    void ceshiScenario_starlingDeliversExactlyWhatMosquittoDelivers() throws Exception {
        Observed onMosquitto = scenario(mosquitto.port());
        Observed onStarling = scenario(starling.port());

        assertThat(onStarling).as("Starling's record (mosquitto's was %s)", onMosquitto).isEqualTo(onMosquitto);

        // And what both must have done, spelled out.
        assertThat(onStarling.subacks()).as("every filter is granted: reads are checked per message")
                .containsOnlyKeys("ceshi #", "ceshi2 #", "ceshi V222/#", "ceshi2 V333/#",
                        "late ceshi #", "late ceshi2 #", "late ceshi V333/#", "late ceshi2 V222/#")
                .allSatisfy((who, code) -> assertThat(code).as(who).isEqualTo(1));
        assertThat(onStarling.publishes()).as("3.1.1: a denied publish is acknowledged normally, connection kept")
                .allSatisfy((what, outcome) -> assertThat(outcome).as(what).isEqualTo("acked"));
        assertThat(onStarling.live()).isEqualTo(Map.of(
                "ceshi #", Set.of(),
                "ceshi V222/#", Set.of(),
                "ceshi2 #", Set.of("V222/a 'from ceshi'", "V222/r/ceshi 'retained from ceshi'", "V222/end 'end'"),
                "ceshi2 V333/#", Set.of()));
        assertThat(onStarling.retained()).isEqualTo(Map.of(
                "late ceshi #", Set.of(),
                "late ceshi V333/#", Set.of(),
                "late ceshi2 #", Set.of("V222/r/ceshi 'retained from ceshi' (retained)"),
                "late ceshi2 V222/#", Set.of("V222/r/ceshi 'retained from ceshi' (retained)")));
    }

    @Test
    void anonymousAndWrongCredentials_refusedWithTheSameConnackCodesByBoth() {
        Map<String, Integer> onMosquitto = connackCodes(mosquitto.port());
        Map<String, Integer> onStarling = connackCodes(starling.port());

        assertThat(onStarling).isEqualTo(onMosquitto);
        assertThat(onStarling).containsAllEntriesOf(Map.of(
                "MQTT_3_1_1 anonymous", 0x05,
                "MQTT_3_1_1 wrong password", 0x05,
                "MQTT_3_1_1 unknown user", 0x05,
                "MQTT_3_1_1 right password", 0x00,
                "MQTT_5 anonymous", 0x87,
                "MQTT_5 wrong password", 0x87,
                "MQTT_5 unknown user", 0x87,
                "MQTT_5 right password", 0x00));
    }

    @Test
    void mqtt5_deniedPublishGetsReasonCode0x87_andSubackCodesMatch_onBoth() {
        Map<String, Integer> onMosquitto = mqtt5Codes(mosquitto.port());
        Map<String, Integer> onStarling = mqtt5Codes(starling.port());

        assertThat(onStarling).isEqualTo(onMosquitto);
        assertThat(onStarling).containsAllEntriesOf(Map.of(
                "PUBACK ceshi2 -> V333/x", 0x87,
                "PUBACK ceshi2 -> V222/x", 0x87,
                "PUBACK ceshi -> V333/x", 0x87,
                "PUBREC ceshi2 -> V333/x", 0x87,
                "SUBACK ceshi #", 1,
                "SUBACK ceshi2 V333/#", 1));
        // ceshi may write V222: allowed, no subscriber there at that moment (0x10), or success.
        assertThat(onStarling.get("PUBACK ceshi -> V222/v5")).isIn(0x00, 0x10);
    }

    /** Both accept a will whose topic the ACL does not let the client publish (and drop it when due). */
    @Test
    void willOnATopicTheAclDenies_isAcceptedByBoth() {
        for (MqttVersion v : List.of(MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5)) {
            var will = RawMqttClient.will("V333/will", "gone", QoS.AT_LEAST_ONCE, false);
            int mosquittoCode = SecurityFixtures.connackCode(mosquitto.port(), v, "will-" + v, "ceshi", CESHI_PASSWORD,
                    will);
            int starlingCode = SecurityFixtures.connackCode(starling.port(), v, "will-" + v, "ceshi", CESHI_PASSWORD,
                    will);
            assertThat(mosquittoCode).as("mosquitto, %s", v).isEqualTo(0);
            assertThat(starlingCode).as("Starling, %s", v).isEqualTo(0);
            // A will the ACL allows is accepted by both.
            var allowed = RawMqttClient.will("V222/will", "gone", QoS.AT_LEAST_ONCE, false);
            assertThat(SecurityFixtures.connackCode(starling.port(), v, "will-ok-" + v, "ceshi", CESHI_PASSWORD, allowed))
                    .isEqualTo(SecurityFixtures.connackCode(mosquitto.port(), v, "will-ok-" + v, "ceshi",
                            CESHI_PASSWORD, allowed))
                    .isEqualTo(0);
        }
    }

    /** Subscribers, then publishers, then late subscribers for the retained messages. */
    private static Observed scenario(int port) throws Exception {
        Map<String, Integer> subacks = new TreeMap<>();
        Map<String, String> publishes = new TreeMap<>();
        Map<String, Set<String>> live = new TreeMap<>();
        Map<String, Set<String>> retained = new TreeMap<>();
        List<Paho3> open = new ArrayList<>();
        try {
            Map<String, Paho3> subscribers = new LinkedHashMap<>();
            subscribers.put("ceshi #", subscriber(port, open, subacks, "sub-ceshi-all", "ceshi", "#"));
            subscribers.put("ceshi2 #", subscriber(port, open, subacks, "sub-ceshi2-all", "ceshi2", "#"));
            subscribers.put("ceshi V222/#", subscriber(port, open, subacks, "sub-ceshi-v222", "ceshi", "V222/#"));
            subscribers.put("ceshi2 V333/#", subscriber(port, open, subacks, "sub-ceshi2-v333", "ceshi2", "V333/#"));

            Paho3 pubCeshi = track(open, Paho3.connect(port, "pub-ceshi", "ceshi", CESHI_PASSWORD));
            Paho3 pubCeshi2 = track(open, Paho3.connect(port, "pub-ceshi2", "ceshi2", CESHI2_PASSWORD));
            for (String user : List.of("ceshi", "ceshi2")) {
                Paho3 client = user.equals("ceshi") ? pubCeshi : pubCeshi2;
                publishes.put(user + " -> V222/a", client.publish("V222/a", "from " + user, 1, false));
                publishes.put(user + " -> V333/a", client.publish("V333/a", "from " + user, 1, false));
                publishes.put(user + " -> V222/r/" + user + " retained",
                        client.publish("V222/r/" + user, "retained from " + user, 1, true));
                publishes.put(user + " -> V333/r/" + user + " retained",
                        client.publish("V333/r/" + user, "retained from " + user, 1, true));
            }
            // Every publish above is acknowledged, so routed. A last message that ceshi2 may read
            // marks the end; then a moment for anything that should not arrive.
            publishes.put("ceshi -> V222/end", pubCeshi.publish("V222/end", "end", 1, false));
            Paho3 ceshi2All = subscribers.get("ceshi2 #");
            assertThat(ceshi2All.awaitMessage(m -> m.topic().equals("V222/end"), Paho3.TIMEOUT))
                    .as("ceshi2 receives the end marker on port %d", port).isTrue();
            Thread.sleep(SETTLE.toMillis());
            subscribers.forEach((name, client) -> live.put(name, strings(client.drain())));

            Map<String, Paho3> late = new LinkedHashMap<>();
            late.put("late ceshi #", subscriber(port, open, subacks, "late-ceshi-all", "ceshi", "#"));
            late.put("late ceshi2 #", subscriber(port, open, subacks, "late-ceshi2-all", "ceshi2", "#"));
            late.put("late ceshi V333/#", subscriber(port, open, subacks, "late-ceshi-v333", "ceshi", "V333/#"));
            late.put("late ceshi2 V222/#", subscriber(port, open, subacks, "late-ceshi2-v222", "ceshi2", "V222/#"));
            late.get("late ceshi2 V222/#").awaitMessage(m -> m.retained(), Paho3.TIMEOUT);
            Thread.sleep(SETTLE.toMillis());
            late.forEach((name, client) -> retained.put(name, strings(client.drain())));
        } finally {
            open.forEach(Paho3::close);
        }
        return new Observed(subacks, publishes, live, retained);
    }

    private static Paho3 subscriber(int port, List<Paho3> open, Map<String, Integer> subacks, String clientId,
                                    String user, String filter) throws Exception {
        Paho3 c = track(open, Paho3.connect(port, clientId, user, passwordOf(user)));
        subacks.put(clientId.startsWith("late") ? "late " + user + " " + filter : user + " " + filter,
                c.subscribe(filter, 1));
        return c;
    }

    private static Paho3 track(List<Paho3> open, Paho3 client) {
        open.add(client);
        return client;
    }

    private static String passwordOf(String user) {
        return user.equals("ceshi") ? CESHI_PASSWORD : CESHI2_PASSWORD;
    }

    private static Set<String> strings(List<Paho3.Msg> messages) {
        Set<String> out = new TreeSet<>();
        messages.forEach(m -> out.add(m.toString()));
        return out;
    }

    private static Map<String, Integer> connackCodes(int port) {
        Map<String, Integer> codes = new TreeMap<>();
        for (MqttVersion v : List.of(MqttVersion.MQTT_3_1, MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5)) {
            codes.put(v + " anonymous", SecurityFixtures.connackCode(port, v, "anon-" + v, null, null));
            codes.put(v + " wrong password", SecurityFixtures.connackCode(port, v, "wrong-" + v, "ceshi", "nope"));
            codes.put(v + " unknown user", SecurityFixtures.connackCode(port, v, "unknown-" + v, "nobody", "x"));
            codes.put(v + " user without password",
                    SecurityFixtures.connackCode(port, v, "nopass-" + v, "ceshi", null));
            codes.put(v + " empty password", SecurityFixtures.connackCode(port, v, "empty-" + v, "ceshi", ""));
            codes.put(v + " password of the other user",
                    SecurityFixtures.connackCode(port, v, "other-" + v, "ceshi", CESHI2_PASSWORD));
            codes.put(v + " right password",
                    SecurityFixtures.connackCode(port, v, "right-" + v, "ceshi", CESHI_PASSWORD));
        }
        return codes;
    }

    private static Map<String, Integer> mqtt5Codes(int port) {
        Map<String, Integer> codes = new TreeMap<>();
        try (RawMqttClient sub = SecurityFixtures.rawConnected(port, MqttVersion.MQTT_5, "v5-sub-ceshi", "ceshi",
                CESHI_PASSWORD);
             RawMqttClient sub2 = SecurityFixtures.rawConnected(port, MqttVersion.MQTT_5, "v5-sub-ceshi2", "ceshi2",
                     CESHI2_PASSWORD)) {
            codes.put("SUBACK ceshi #", only(sub.subscribe(1, "#", QoS.AT_LEAST_ONCE)));
            codes.put("SUBACK ceshi2 V333/#", only(sub2.subscribe(1, "V333/#", QoS.AT_LEAST_ONCE)));
        }
        try (RawMqttClient ceshi = SecurityFixtures.rawConnected(port, MqttVersion.MQTT_5, "v5-ceshi", "ceshi",
                CESHI_PASSWORD);
             RawMqttClient ceshi2 = SecurityFixtures.rawConnected(port, MqttVersion.MQTT_5, "v5-ceshi2", "ceshi2",
                     CESHI2_PASSWORD)) {
            codes.put("PUBACK ceshi2 -> V333/x", pubAck(ceshi2, "V333/x", 1));
            codes.put("PUBACK ceshi2 -> V222/x", pubAck(ceshi2, "V222/x", 2));
            codes.put("PUBACK ceshi -> V333/x", pubAck(ceshi, "V333/x", 3));
            codes.put("PUBACK ceshi -> V222/v5", pubAck(ceshi, "V222/v5", 4));
            ceshi2.send(new Publish(false, QoS.EXACTLY_ONCE, false, "V333/x", 5, Properties.EMPTY,
                    Unpooled.wrappedBuffer("q2".getBytes(StandardCharsets.UTF_8))));
            codes.put("PUBREC ceshi2 -> V333/x", ceshi2.receive(PubRec.class).reasonCode());
            ceshi.ping();
            ceshi2.ping();
        }
        return codes;
    }

    private static int pubAck(RawMqttClient client, String topic, int packetId) {
        client.send(RawMqttClient.publishPacket(topic, "v5", QoS.AT_LEAST_ONCE, packetId));
        PubAck ack = client.receive(PubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCode();
    }

    private static int only(SubAck ack) {
        assertThat(ack.reasonCodes()).hasSize(1);
        return ack.reasonCodes().get(0);
    }
}
