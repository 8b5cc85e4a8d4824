package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole files: mosquitto's own example, Debian's default, and a realistic production file. */
class ExampleFilesTest extends ConfigTestSupport {

    /** Every option of mosquitto.conf(5) for 2.0.11 (auth_opt_* and plugin_opt_* as one example each). */
    static final List<String> MAN_PAGE_OPTIONS = List.of("acl_file", "allow_anonymous", "allow_duplicate_messages",
            "allow_zero_length_clientid", "auth_opt_db", "auth_plugin", "auth_plugin_deny_special_chars",
            "auto_id_prefix", "autosave_interval", "autosave_on_changes", "check_retain_source", "clientid_prefixes",
            "connection_messages", "include_dir", "log_dest", "log_facility", "log_timestamp", "log_timestamp_format",
            "log_type", "max_inflight_bytes", "max_inflight_messages", "max_keepalive", "max_packet_size",
            "max_queued_bytes", "max_queued_messages", "memory_limit", "message_size_limit", "password_file",
            "per_listener_settings", "persistence", "persistence_file", "persistence_location",
            "persistent_client_expiration", "pid_file", "plugin", "plugin_opt_db", "psk_file", "queue_qos0_messages",
            "retain_available", "set_tcp_nodelay", "sys_interval", "upgrade_outgoing_qos", "user", "bind_address",
            "bind_interface", "http_dir", "listener", "max_connections", "max_qos", "max_topic_alias", "mount_point",
            "port", "protocol", "socket_domain", "use_username_as_clientid", "websockets_log_level",
            "websockets_headers_size", "cafile", "capath", "certfile", "ciphers", "ciphers_tls1.3", "crlfile",
            "dhparamfile", "keyfile", "require_certificate", "tls_engine", "tls_engine_kpass_sha1", "tls_keyform",
            "tls_version", "use_identity_as_username", "use_subject_as_username", "psk_hint", "address", "addresses",
            "bridge_attempt_unsubscribe", "bridge_bind_address", "bridge_max_packet_size", "bridge_outgoing_retain",
            "bridge_protocol_version", "cleansession", "local_cleansession", "connection", "keepalive_interval",
            "idle_timeout", "local_clientid", "local_password", "local_username", "notifications",
            "notifications_local_only", "notification_topic", "remote_clientid", "remote_password", "remote_username",
            "restart_timeout", "round_robin", "start_type", "threshold", "topic", "try_private", "bridge_alpn",
            "bridge_cafile", "bridge_capath", "bridge_certfile", "bridge_identity", "bridge_insecure", "bridge_keyfile",
            "bridge_psk", "bridge_require_ocsp", "bridge_tls_version");

    private String resource(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/" + name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void mosquittosExampleFile_isAllComments_andGivesTheDefaults() throws Exception {
        BrokerConfig c = read(resource("mosquitto-example.conf"));
        assertThat(c).isEqualTo(BrokerConfig.defaults());
    }

    /** Each {@code #option value} line of mosquitto's example file, uncommented where it makes sense. */
    static Stream<String> exampleOptionLines() throws IOException {
        String text;
        try (InputStream in = ExampleFilesTest.class.getResourceAsStream("/mosquitto-example.conf")) {
            text = new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> lines = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^#([a-z][a-z_0-9.]*.*)$").matcher(text);
        while (m.find()) {
            lines.add(m.group(1));
        }
        return lines.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exampleOptionLines")
    void everyOptionInTheExampleFile_isKnown(String optionLine) throws Exception {
        assertKnown(optionLine);
    }

    static Stream<String> manPageOptions() {
        return MAN_PAGE_OPTIONS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manPageOptions")
    void everyOptionOfTheManPage_isKnown(String option) throws Exception {
        assertKnown(option + " 1");
    }

    /** Reads the line inside a listener and a bridge: it may be wrong, but must not be unknown. */
    private void assertKnown(String optionLine) throws Exception {
        String text = "listener 1883\nplugin /p.so\nconnection b\naddress h\ntopic #\n" + optionLine + "\n";
        try {
            read(text);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("Unknown configuration variable");
        }
    }

    @Test
    void debiansDefaultFile_withAListenerInConfD_starts() throws Exception {
        write("conf.d/local.conf", "listener 1883\nallow_anonymous true\n");
        BrokerConfig c = read(resource("debian-mosquitto.conf").replace("/etc/mosquitto/conf.d", dir.resolve("conf.d").toString()));
        assertThat(c.pidFile()).isEqualTo(Path.of("/run/mosquitto/mosquitto.pid"));
        assertThat(c.persistence().enabled()).isTrue();
        assertThat(c.persistence().path()).isEqualTo(Path.of("/var/lib/mosquitto/mosquitto.db"));
        assertThat(c.logging().destinations()).containsExactly(LogDestination.FILE);
        assertThat(c.logging().file()).isEqualTo(Path.of("/var/log/mosquitto/mosquitto.log"));
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null));
        assertThat(c.allowAnonymous()).isTrue();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void realisticFileWithBridgeAndPlugin_readsTheBridge_andWarnsForWhatIsNotSupported() throws Exception {
        BrokerConfig c = read(resource("realistic-with-bridge-and-plugins.conf"));

        assertThat(c.security()).isEqualTo(new SecurityConfig(false, Path.of("/etc/mosquitto/passwd"),
                Path.of("/etc/mosquitto/acl"), null, true, "auto-", java.util.List.of(new PluginConfig(
                        "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
                        java.util.Map.of("config_file", "/var/lib/mosquitto/dynamic-security.json"), main() + ":43"))));
        assertThat(c.persistence()).isEqualTo(new PersistenceConfig(true, Path.of("/var/lib/mosquitto/"), "mosquitto.db",
                300, false));
        assertThat(c.persistentClientExpiration()).isEqualTo(Duration.ofDays(14));
        assertThat(c.logging().destinations()).containsExactlyInAnyOrder(LogDestination.SYSLOG, LogDestination.FILE);
        assertThat(c.limits()).isEqualTo(new Limits(40, 0, 5000, 0, false, 1_048_576, 0, 65535, 1000));
        assertThat(c.sysInterval()).isEqualTo(30);

        assertThat(c.listeners()).hasSize(3);
        ListenerConfig local = c.listeners().get(0);
        assertThat(local).isEqualTo(new ListenerConfig(1883, "127.0.0.1"));
        ListenerConfig tls = c.listeners().get(1);
        assertThat(tls.port()).isEqualTo(8883);
        assertThat(tls.maxConnections()).isEqualTo(2000);
        assertThat(tls.tls().certfile()).isEqualTo(Path.of("/etc/mosquitto/certs/broker.crt"));
        assertThat(tls.tls().cafile()).isEqualTo(Path.of("/etc/mosquitto/ca_certificates/ca.crt"));
        ListenerConfig ws = c.listeners().get(2);
        assertThat(ws.protocol()).isEqualTo(Protocol.WEBSOCKETS);
        assertThat(ws.tls().enabled()).isTrue();
        assertThat(c.listeners()).allSatisfy(l -> assertThat(c.anonymousAllowed(l)).isFalse());

        assertThat(c.warnings()).extracting(w -> w.replace(main() + ":", "")).containsExactly(
                "Warning: 39: 'http_dir' is not supported yet and was ignored.");
        assertThat(c.bridges()).hasSize(1);
        BridgeConfig bridge = c.bridges().get(0);
        assertThat(bridge.name()).isEqualTo("cloud-bridge");
        assertThat(bridge.addresses()).containsExactly(new BridgeConfig.Address("mqtt.example.com", 8883));
        assertThat(bridge.remoteClientId()).isEqualTo("site-42");
        assertThat(bridge.localClientId()).isEqualTo("local.site-42");
        assertThat(bridge.remoteLogin()).isEqualTo(new BridgeConfig.Login("site-42", "s3cret"));
        assertThat(bridge.tls().cafile()).isEqualTo(Path.of("/etc/mosquitto/ca_certificates/cloud-ca.crt"));
        assertThat(bridge.cleanSession()).isFalse();
        assertThat(bridge.localCleanSession()).isFalse();
        assertThat(bridge.topics()).containsExactly(
                new BridgeTopic("telemetry/#", BridgeTopic.Direction.OUT, 1, null, "site-42/"),
                new BridgeTopic("commands/#", BridgeTopic.Direction.IN, 1, null, "site-42/"));
    }
}
