package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every kind of error, with its exact message and line. Where mosquitto 2.0.11 has a message for the
 * case (checked with Debian's /usr/sbin/mosquitto -c), it is used word for word.
 */
class ConfigErrorsTest extends ConfigTestSupport {

    static Stream<Arguments> errors() {
        return Stream.of(
                // unknown options
                row("listener 1883\nmax_inflight_mesages 10\n", 2, "Unknown configuration variable \"max_inflight_mesages\"."),
                row("  # indented comment\n", 1,
                        "Unknown configuration variable \"#\". A comment must start at the beginning of its line."),
                row("listener\t1883\n", 1, "Unknown configuration variable \"listener\t1883\". "
                        + "Separate an option from its value with a space, not a tab."),
                row("global_plugin /x.so\n", 1, "Unknown configuration variable \"global_plugin\"."),
                // missing values
                row("max_inflight_messages\n", 1, "Empty max_inflight_messages value in configuration."),
                row("listener\n", 1, "Empty listener value in configuration."),
                row("listener 1883\npassword_file   \n", 2, "Empty password_file value in configuration."),
                row("log_type\n", 1, "Empty log_type value in configuration."),
                row("persistent_client_expiration\n", 1, "Empty persistent_client_expiration value in configuration."),
                row("log_dest file\n", 1, "Empty \"log_dest file\" value in configuration."),
                row("include_dir\n", 1, "Empty include_dir value in configuration."),
                row("connection\n", 1, "Empty connection value in configuration."),
                row("websockets_log_level\n", 1, "Empty websockets_log_level value in configuration."),
                // bad values
                row("# comment\nlistener 99999\n", 2, "Invalid port value (99999)."),
                row("listener -1\n", 1, "Invalid port value (-1)."),
                row("listener abc\n", 1, "Invalid port value (abc)."),
                row("listener 0\n", 1, "A listener with port 0 must provide a Unix socket path."),
                row("port 0\n", 1, "Invalid port value (0)."),
                row("allow_anonymous yes\n", 1, "Invalid allow_anonymous value (yes)."),
                row("allow_anonymous TRUE\n", 1, "Invalid allow_anonymous value (TRUE)."),
                row("queue_qos0_messages maybe\n", 1, "Invalid queue_qos0_messages value (maybe)."),
                row("max_inflight_messages abc\n", 1, "Invalid max_inflight_messages value (abc)."),
                row("max_inflight_messages 10x\n", 1, "Invalid max_inflight_messages value (10x)."),
                row("max_inflight_messages 70000\n", 1, "max_inflight_messages must be <= 65535."),
                row("max_keepalive 9\n", 1, "Invalid max_keepalive value (9)."),
                row("max_keepalive 70000\n", 1, "Invalid max_keepalive value (70000)."),
                row("max_packet_size 19\n", 1, "Invalid max_packet_size value (19)."),
                row("message_size_limit 268435456\n", 1, "Invalid message_size_limit value (268435456)."),
                row("message_size_limit -1\n", 1, "Invalid message_size_limit value (-1)."),
                row("sys_interval 65536\n", 1, "Invalid sys_interval value (65536)."),
                row("password_check_threads 0\n", 1, "Invalid password_check_threads value (0)."),
                row("event_loops 0\n", 1, "Invalid event_loops value (0)."),
                row("event_loops 1025\n", 1, "Invalid event_loops value (1025)."),
                row("max_outgoing_bytes -1\n", 1, "Invalid max_outgoing_bytes value (-1)."),
                row("max_loop_backlog_bytes 100\n", 1, "Invalid max_loop_backlog_bytes value (100)."),
                row("# c\nmax_connect_bytes 10\n", 2, "Invalid max_connect_bytes value (10)."),
                row("# c\n\nmax_held_qos2_bytes -1\n", 3, "Invalid max_held_qos2_bytes value (-1)."),
                row("max_connecting_clients lots\n", 1, "Invalid max_connecting_clients value (lots)."),
                row("max_connecting_bytes -5\n", 1, "Invalid max_connecting_bytes value (-5)."),
                row("# c\nmax_pending_password_checks 0\n", 2, "Invalid max_pending_password_checks value (0)."),
                row("max_pending_password_checks many\n", 1, "Invalid max_pending_password_checks value (many)."),
                row("sys_interval -1\n", 1, "Invalid sys_interval value (-1)."),
                row("listener 1883\nmax_qos 3\n", 2, "max_qos must be between 0 and 2 inclusive."),
                row("listener 1883\nmax_topic_alias 65536\n", 2, "Invalid max_topic_alias value (65536)."),
                row("protocol mqtt-sn\n", 1, "Invalid protocol value (mqtt-sn)."),
                row("socket_domain ipv5\n", 1, "Invalid socket_domain value \"ipv5\" in configuration."),
                row("log_dest console\n", 1, "Invalid log_dest value (console)."),
                row("log_type verbose\n", 1, "Invalid log_type value (verbose)."),
                row("persistent_client_expiration 5s\n", 1, "Invalid persistent_client_expiration duration in configuration."),
                row("persistent_client_expiration 0d\n", 1, "Invalid persistent_client_expiration duration in configuration."),
                row("persistent_client_expiration d\n", 1, "Invalid persistent_client_expiration duration in configuration."),
                row("listener 8883\ntls_version tlsv1.0\n", 2, "Unsupported tls_version \"tlsv1.0\"."),
                row("listener 8883\ntls_keyform der\n", 2, "Invalid tls_keyform value (der)."),
                row("listener 1883\nmount_point foo/#\n", 2, "Invalid mount_point 'foo/#'. Does it contain a wildcard character?"),
                row("listener 1883\nmount_point a/+/b\n", 2, "Invalid mount_point 'a/+/b'. Does it contain a wildcard character?"),
                // repeated where mosquitto refuses it
                row("password_file /x\npassword_file /y\n", 2,
                        "Duplicate password_file value in configuration (first given at %s:1)."),
                row("listener 1883\nacl_file /a\nlistener 1884\nacl_file /b\n", 4,
                        "Duplicate acl_file value in configuration (first given at %s:2)."),
                row("listener 8883\ncertfile /c\ncertfile /c\n", 3,
                        "Duplicate certfile value in configuration (first given at %s:2)."),
                row("bind_address 127.0.0.1\nbind_address ::1\n", 2,
                        "Duplicate default listener bind_address value in configuration (first given at %s:1)."),
                row("clientid_prefixes a\nclientid_prefixes b\n", 2,
                        "Duplicate clientid_prefixes value in configuration (first given at %s:1)."),
                row("persistence_location /a\npersistence_location /b\n", 2,
                        "Duplicate persistence_location value in configuration (first given at %s:1)."),
                row("user mosquitto\nuser nobody\n", 2, "Duplicate user value in configuration (first given at %s:1)."),
                row("log_dest file /a\nlog_dest none\nlog_dest file /b\n", 3,
                        "Duplicate \"log_dest file\" value (first given at %s:1)."),
                row("log_dest file /a\nlog_dest file /b\n", 2, "Duplicate \"log_dest file\" value (first given at %s:1)."),
                row("listener 1883\nlistener 1883\n", 2,
                        "Duplicate listener: listener 1883 uses the same port and address as listener 1883 (%s:1)."),
                row("listener 1883\nport 1883\n", 2, "Duplicate listener: the default listener (port 1883) uses the same "
                        + "port and address as listener 1883 (%s:1). Options before the first listener line configure the "
                        + "default listener, which 'port' opened."),
                row("socket_domain ipv4\nlistener 1883\n", 1, "Duplicate listener: the default listener (port 1883) uses "
                        + "the same port and address as listener 1883 (%s:2). Options before the first listener line "
                        + "configure the default listener, which 'socket_domain' opened."),
                // scope and order
                row("mount_point foo/\n", 1,
                        "You must create a listener before using the mount_point option in the configuration file."),
                row("per_listener_settings true\npassword_file /p\nlistener 1883\n", 2,
                        "You must define a listener before using the password_file option, because per_listener_settings is true."),
                row("per_listener_settings true\nallow_anonymous true\n", 2,
                        "You must define a listener before using the allow_anonymous option, because per_listener_settings is true."),
                row("per_listener_settings true\nplugin /usr/lib/dynsec.so\n", 2,
                        "You must define a listener before using the plugin option, because per_listener_settings is true."),
                row("allow_anonymous true\nper_listener_settings true\n", 2,
                        "per_listener_settings must be set before any other security settings (allow_anonymous is set at %s:1)."),
                // TLS blocks that cannot work
                row("listener 8883\ncertfile /c\n", 2, "certfile is given but keyfile is not: both are needed for TLS on listener 8883."),
                row("listener 8883\nkeyfile /k\n", 2, "keyfile is given but certfile is not: both are needed for TLS on listener 8883."),
                row("listener 8883\npsk_hint h\ncertfile /c\nkeyfile /k\n", 3,
                        "Cannot use both certificate and psk encryption in a single listener."),
                row("listener 8883\ncafile /ca\npsk_hint h\n", 3, "Cannot use both certificate and psk encryption in a single listener."),
                // unsupported options are still checked as mosquitto checks them
                row("address 10.0.0.1:1883\n", 1, "Invalid bridge configuration: address must follow a connection line."),
                row("topic # both 0\n", 1, "Invalid bridge configuration: topic must follow a connection line."),
                row("connection a\naddress h\ntopic #\nconnection a\n", 4, "Duplicate bridge name \"a\" (first given at %s:1)."),
                row("connection a\naddress h\naddress h2\ntopic #\n", 3,
                        "Invalid bridge configuration: bridge 'a' already has its addresses (given at %s:2)."),
                row("connection a\naddress h\n", 1, "Invalid bridge configuration: no topics defined for bridge 'a'."),
                row("connection a\ntopic # in\n", 1, "Invalid bridge configuration: no remote addresses defined for bridge 'a'."),
                row("auth_opt_db_host localhost\n", 1, "An auth_opt_ option exists in the config file without an auth_plugin."),
                row("plugin_opt_db_host localhost\n", 1, "A plugin_opt_ option exists in the config file without a plugin."),
                row("auth_plugin_deny_special_chars false\n", 1,
                        "An auth_plugin_deny_special_chars option exists in the config file without an auth_plugin."),
                row("plugin /x.so\nplugin_opt_ x\n", 2, "Invalid plugin_opt_ config option."),
                row("plugin /x.so\nplugin_opt_key\n", 2, "Empty plugin_opt_key value in configuration."),
                row("check_retain_source perhaps\n", 1, "Invalid check_retain_source value (perhaps)."));
    }

    private static Arguments row(String text, int line, String what) {
        return Arguments.of(text, line, what);
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("errors")
    void error_namesFileLineAndWhatIsWrong(String text, int line, String what) throws Exception {
        assertThat(error(text)).isEqualTo(errorAt(line, what.replace("%s", main())));
    }

    @Test
    void error_carriesFileAndLine() throws Exception {
        Path file = write("mosquitto.conf", "\n\nlistener 99999\n");
        assertThatThrownBy(() -> ConfigFile.read(file)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.file()).isEqualTo(file.toString());
            assertThat(e.line()).isEqualTo(3);
        });
    }

    @Test
    void missingFile_isAnErrorNamingIt() {
        Path missing = dir.resolve("missing.conf");
        assertThatThrownBy(() -> ConfigFile.read(missing)).isInstanceOf(ConfigException.class)
                .hasMessage("Error: Unable to open config file " + missing + " (no such file).");
    }

    @Test
    void directoryAsConfigFile_isAnError() {
        assertThatThrownBy(() -> ConfigFile.read(dir)).hasMessage("Error: Config file " + dir + " is a directory.");
    }

    @Test
    void malformedUtf8_isAnErrorAtItsLine() throws Exception {
        Path file = dir.resolve("mosquitto.conf");
        Files.write(file, new byte[] {'#', ' ', (byte) 0xE9, '\n', 'u', 's', 'e', 'r', ' ', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> ConfigFile.read(file))
                .hasMessage("Error: " + file + ":2: Malformed UTF-8 in configuration.");
    }

    @Test
    void firstErrorWins() throws Exception {
        assertThat(error("listener 1\nfoo\nbar\n")).isEqualTo(errorAt(2, "Unknown configuration variable \"foo\"."));
    }
}
