package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BridgeTopic.Direction;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code connection} sections of mosquitto.conf. Error texts are those of Debian's mosquitto 2.0.11 for the
 * same lines (run as {@code mosquitto -c FILE}, 2026-12-07), with Starling's file and line in front.
 */
class BridgeOptionsTest extends ConfigTestSupport {
    private static final String HEAD = "listener 1883\nconnection a\naddress 127.0.0.1\n";

    @Test
    void minimalBridge_getsMosquittosDefaults() throws Exception {
        BridgeConfig b = read(HEAD + "topic #\n").bridges().get(0);
        assertThat(b.name()).isEqualTo("a");
        assertThat(b.addresses()).containsExactly(new BridgeConfig.Address("127.0.0.1", 1883));
        assertThat(b.topics()).containsExactly(new BridgeTopic("#", Direction.OUT, 0, null, null));
        assertThat(b.roundRobin()).isFalse();
        assertThat(b.startType()).isEqualTo(BridgeConfig.StartType.AUTOMATIC);
        assertThat(b.threshold()).isEqualTo(10);
        assertThat(b.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(b.restart()).isEqualTo(new BridgeConfig.Restart(Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertThat(b.keepalive()).isEqualTo(60);
        assertThat(b.cleanSession()).isFalse();
        assertThat(b.localCleanSession()).isFalse();
        assertThat(b.remoteClientId()).endsWith(".a");
        assertThat(b.localClientId()).isEqualTo("local." + b.remoteClientId());
        assertThat(b.notifications()).isEqualTo(new BridgeConfig.Notifications(true, false,
                "$SYS/broker/connection/" + b.remoteClientId() + "/state"));
        assertThat(b.version()).isEqualTo(BridgeConfig.Version.MQTT_3_1_1);
        assertThat(b.tryPrivate()).isTrue();
        assertThat(b.attemptUnsubscribe()).isTrue();
        assertThat(b.outgoingRetain()).isTrue();
        assertThat(b.maxPacketSize()).isZero();
        assertThat(b.tls()).isNull();
        assertThat(b.remoteLogin()).isNull();
    }

    @Test
    void everyOption_isRead() throws Exception {
        BrokerConfig c = read("""
                connection cloud
                addresses h1 h2:8883
                topic sensors/# out 1 "" site1/
                clientid c1
                username u
                password p w
                local_clientid l1
                local_username lu
                local_password lp
                cleansession true
                local_cleansession false
                keepalive_interval 30
                idle_timeout 90
                notifications false
                notifications_local_only true
                notification_topic n/t
                restart_timeout 10
                round_robin true
                start_type lazy
                threshold 20
                try_private false
                bridge_attempt_unsubscribe false
                bridge_bind_address 10.0.0.2
                bridge_cafile /ca.crt
                bridge_capath /certs
                bridge_certfile /c.crt
                bridge_keyfile /c.key
                bridge_tls_version tlsv1.3
                bridge_alpn mqtt
                bridge_max_packet_size 1000
                bridge_outgoing_retain false
                bridge_protocol_version mqttv50
                """);
        BridgeConfig b = c.bridges().get(0);
        assertThat(b.addresses()).containsExactly(new BridgeConfig.Address("h1", 1883), new BridgeConfig.Address("h2", 8883));
        assertThat(b.remoteClientId()).isEqualTo("c1");
        assertThat(b.localClientId()).isEqualTo("l1");
        assertThat(b.remoteLogin()).isEqualTo(new BridgeConfig.Login("u", "p w"));
        assertThat(b.localLogin()).isEqualTo(new BridgeConfig.Login("lu", "lp"));
        assertThat(b.cleanSession()).isTrue();
        assertThat(b.localCleanSession()).isFalse();
        assertThat(b.keepalive()).isEqualTo(30);
        assertThat(b.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(b.notifications()).isEqualTo(new BridgeConfig.Notifications(false, true, "n/t"));
        assertThat(b.restart()).isEqualTo(new BridgeConfig.Restart(Duration.ofSeconds(10), null));
        assertThat(b.roundRobin()).isTrue();
        assertThat(b.startType()).isEqualTo(BridgeConfig.StartType.LAZY);
        assertThat(b.threshold()).isEqualTo(20);
        assertThat(b.tryPrivate()).isFalse();
        assertThat(b.attemptUnsubscribe()).isFalse();
        assertThat(b.bindAddress()).isEqualTo("10.0.0.2");
        assertThat(b.tls()).isEqualTo(new BridgeConfig.Tls(Path.of("/ca.crt"), Path.of("/certs"), Path.of("/c.crt"),
                Path.of("/c.key"), false, "tlsv1.3", "mqtt"));
        assertThat(b.maxPacketSize()).isEqualTo(1000);
        assertThat(b.outgoingRetain()).isFalse();
        assertThat(b.version()).isEqualTo(BridgeConfig.Version.MQTT_5);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void topicLines_keepMosquittosPrefixesAndOrder() throws Exception {
        BridgeConfig b = read(HEAD + """
                topic # in 0 local/topic/ remote/topic/
                topic ic/+ in 0 local4/top remote4/tip
                topic clients/total in 0 test/mosquitto/org $SYS/broker/
                topic "" both 2 loc/x rem/y
                topic a/# IN 1 # a comment
                """).bridges().get(0);
        assertThat(b.topics()).containsExactly(
                new BridgeTopic("#", Direction.IN, 0, "local/topic/", "remote/topic/"),
                new BridgeTopic("ic/+", Direction.IN, 0, "local4/top", "remote4/tip"),
                new BridgeTopic("clients/total", Direction.IN, 0, "test/mosquitto/org", "$SYS/broker/"),
                new BridgeTopic(null, Direction.BOTH, 2, "loc/x", "rem/y"),
                new BridgeTopic("a/#", Direction.IN, 1, null, null));
        assertThat(b.topics().get(1).remoteTopic()).isEqualTo("remote4/tipic/+");
        assertThat(b.topics().get(1).localTopic()).isEqualTo("local4/topic/+");
        assertThat(b.topics().get(3).localTopic()).isEqualTo("loc/x");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "topic # sideways|Invalid bridge topic direction 'sideways'.",
            "topic # in 3|Invalid bridge QoS level '3'.",
            "topic # in x|Invalid bridge QoS level 'x'.",
            "topic \"\" in 0|Invalid bridge remapping.",
            "topic \"\" in 0 a/ \"\"|Invalid bridge remapping.",
            "topic # in 0 a/+ b/|Invalid bridge topic local prefix 'a/+'.",
            "topic # in 0 a/ b/#|Invalid bridge topic remote prefix 'b/#'.",
            "topic a/# in 0 x# y/|Invalid bridge topic local prefix 'x#'.",
            "topic +/# in 0 a b/|Invalid bridge topic local prefix and pattern combination 'a+/#'.",
            "topic +/# in 0 a/ b|Invalid bridge topic remote prefix and pattern combination 'b+/#'.",
            "topic|Empty topic value in configuration.",
            "bridge_protocol_version mqttv4|Invalid bridge_protocol_version value (mqttv4).",
            "start_type manual|Manual start_type not supported.",
            "start_type foo|Invalid start_type value in configuration (foo).",
            "restart_timeout 10 5|backoff cap is lower than the base in restart_timeout.",
            "keepalive_interval 70000|Bridge keepalive value too high.",
            "cleansession maybe|Invalid cleansession value (maybe).",
    })
    void badBridgeLine_isRefusedWithMosquittosText(String line, String message) throws Exception {
        assertThat(error(HEAD + "topic #\n" + line + "\n")).isEqualTo(errorAt(5, message));
    }

    @Test
    void bridgeWithoutTopicsOrAddresses_isRefused_namingTheConnectionLine() throws Exception {
        assertThat(error("listener 1883\nconnection a\naddress 127.0.0.1\n"))
                .isEqualTo(errorAt(2, "Invalid bridge configuration: no topics defined for bridge 'a'."));
        assertThat(error("listener 1883\nconnection a\ntopic #\n"))
                .isEqualTo(errorAt(2, "Invalid bridge configuration: no remote addresses defined for bridge 'a'."));
    }

    @Test
    void badAddresses_areRefused() throws Exception {
        assertThat(error("connection a\naddress\n")).isEqualTo(errorAt(2, "Empty address value in configuration."));
        assertThat(error("connection a\naddress h:0\ntopic #\n")).isEqualTo(errorAt(2, "Invalid port value (0)."));
        assertThat(error("connection a\naddress h:99999\ntopic #\n")).isEqualTo(errorAt(2, "Invalid port value (99999)."));
        assertThat(error("connection a\naddress h\naddress i\ntopic #\n")).startsWith(errorAt(3,
                "Invalid bridge configuration: bridge 'a' already has its addresses"));
        assertThat(error("address h\n")).isEqualTo(errorAt(1,
                "Invalid bridge configuration: address must follow a connection line."));
    }

    @Test
    void addressesSplitAtTheLastColon_andBracketsAroundIpv6AreTaken() throws Exception {
        BridgeConfig b = read("connection a\naddresses [::1]:1884 fe80::1:8883 h # comment\ntopic #\n").bridges().get(0);
        assertThat(b.addresses()).containsExactly(new BridgeConfig.Address("::1", 1884),
                new BridgeConfig.Address("fe80::1", 8883), new BridgeConfig.Address("h", 1883));
    }

    @Test
    void duplicateNamesAndLocalClientIds_areRefused() throws Exception {
        assertThat(error(HEAD + "topic #\nconnection a\n")).startsWith(errorAt(5, "Duplicate bridge name \"a\""));
        assertThat(error("connection a\nremote_clientid z\naddress h\ntopic #\n"
                + "connection b\nlocal_clientid local.z\naddress h\ntopic #\n"))
                .startsWith(errorAt(5, "Bridge local_clientid 'local.z' is not unique"));
        assertThat(error(HEAD + "topic #\nremote_clientid x\nclientid y\n"))
                .startsWith(errorAt(6, "Duplicate bridge remote clientid value in configuration"));
    }

    @Test
    void valuesTooLow_areRaisedWithMosquittosNotice() throws Exception {
        BrokerConfig c = read(HEAD + "topic #\nkeepalive_interval 2\nidle_timeout 0\nthreshold 0\nrestart_timeout 0\n");
        BridgeConfig b = c.bridges().get(0);
        assertThat(b.keepalive()).isEqualTo(5);
        assertThat(b.idleTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.threshold()).isEqualTo(1);
        assertThat(b.restart()).isEqualTo(new BridgeConfig.Restart(Duration.ofSeconds(1), null));
        assertThat(c.warnings()).containsExactly(
                warningAt(5, "keepalive interval too low, using 5 seconds."),
                warningAt(6, "idle_timeout interval too low, using 1 second."),
                warningAt(7, "threshold too low, using 1 message."),
                warningAt(8, "restart_timeout interval too low, using 1 second."));
    }

    @Test
    void pskBridges_areRefusedWithAClearMessage() throws Exception {
        assertThat(error(HEAD + "topic #\nbridge_identity x\nbridge_psk 00\n"))
                .startsWith(errorAt(5, "TLS-PSK bridges (bridge_identity, bridge_psk) are not supported"));
        assertThat(error(HEAD + "topic #\nbridge_cafile /x\nbridge_psk 00\n"))
                .isEqualTo(errorAt(6, "Cannot use both certificate and psk encryption in a single bridge."));
    }

    @Test
    void tlsOptionsWithoutACa_connectWithoutTls_withAWarning() throws Exception {
        BrokerConfig c = read(HEAD + "topic #\nbridge_insecure true\n");
        assertThat(c.bridges().get(0).tls()).isNull();
        assertThat(c.warnings()).containsExactly(warningAt(5, "Bridge a using insecure mode."),
                warningAt(5, "bridge 'a' has TLS options but no bridge_cafile or bridge_capath: "
                        + "it connects without TLS, as mosquitto does."));
    }

    @Test
    void bridgeOptionAfterALaterListener_stillBelongsToTheBridge_asInMosquitto() throws Exception {
        BrokerConfig c = read("connection a\naddress h\nlistener 1883\ntopic # both\n");
        assertThat(c.bridges().get(0).topics()).containsExactly(new BridgeTopic("#", Direction.BOTH, 0, null, null));
        assertThat(c.listeners()).hasSize(1);
    }

    @Test
    void fileWithoutConnections_hasNoBridges() throws Exception {
        assertThat(read("listener 1883\n").bridges()).isEmpty();
        assertThat(BrokerConfig.defaults().bridges()).isEmpty();
    }
}
