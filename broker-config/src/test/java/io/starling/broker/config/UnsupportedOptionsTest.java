package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnsupportedOptionsTest extends ConfigTestSupport {

    @ParameterizedTest
    @ValueSource(strings = {"allow_duplicate_messages true", "log_facility 5",
            "memory_limit 1000000", "websockets_log_level 255", "websockets_headers_size 4096", "bind_interface eth0",
            "http_dir /var/www", "use_username_as_clientid true", "tls_engine_kpass_sha1 0123456789abcdef",
            "auth_plugin /usr/lib/auth.so", "plugin /usr/lib/mosquitto_dynamic_security.so"})
    void knownButUnsupportedOption_isAcceptedWithAWarningNamingIt(String line) throws Exception {
        BrokerConfig c = read("listener 1883\n" + line + "\n");
        String key = line.substring(0, line.indexOf(' '));
        assertThat(c.warnings()).containsExactly(warningAt(2, "'" + key + "' is not supported yet and was ignored."));
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null));
    }

    @Test
    void retryInterval_isNoLongerAvailable_asMosquittoSays() throws Exception {
        assertThat(read("retry_interval 20\n").warnings())
                .containsExactly(warningAt(1, "The retry_interval option is no longer available and was ignored."));
    }

    @Test
    void bridgeBlock_isAcceptedWithAWarningPerLine() throws Exception {
        BrokerConfig c = read("""
                listener 1883
                connection cloud
                address broker.example.com:8883
                topic sensors/# out 1 "" site1/
                bridge_cafile /etc/mosquitto/ca.crt
                remote_username site1
                remote_password secret
                """);
        assertThat(c.warnings()).containsExactly(
                warningAt(2, "'connection' is not supported yet and was ignored."),
                warningAt(3, "'address' is not supported yet and was ignored."),
                warningAt(4, "'topic' is not supported yet and was ignored."),
                warningAt(5, "'bridge_cafile' is not supported yet and was ignored."),
                warningAt(6, "'remote_username' is not supported yet and was ignored."),
                warningAt(7, "'remote_password' is not supported yet and was ignored."));
    }

    @Test
    void pluginWithOptions_isAcceptedWithWarnings() throws Exception {
        BrokerConfig c = read("""
                plugin /usr/lib/mosquitto_dynamic_security.so
                plugin_opt_config_file /var/lib/mosquitto/dynamic-security.json
                auth_plugin /usr/lib/go-auth.so
                auth_opt_backends files
                auth_plugin_deny_special_chars false
                """);
        assertThat(c.warnings()).extracting(w -> w.substring(w.indexOf('\'')))
                .containsExactly("'plugin' is not supported yet and was ignored.",
                        "'plugin_opt_config_file' is not supported yet and was ignored.",
                        "'auth_plugin' is not supported yet and was ignored.",
                        "'auth_opt_backends' is not supported yet and was ignored.",
                        "'auth_plugin_deny_special_chars' is not supported yet and was ignored.");
    }

    @Test
    void bridgeOptionAfterALaterListener_stillBelongsToTheBridge_asInMosquitto() throws Exception {
        BrokerConfig c = read("connection a\naddress h\nlistener 1883\ntopic # both\n");
        assertThat(c.warnings()).hasSize(3);
    }

    @Test
    void bridgeAliases_areKnown() throws Exception {
        BrokerConfig c = read("connection a\naddresses h1 h2\ntopic #\nclientid c\nusername u\npassword p\n"
                + "local_clientid l\nlocal_username lu\nlocal_password lp\ncleansession true\nlocal_cleansession false\n"
                + "keepalive_interval 30\nidle_timeout 60\nnotifications false\nnotifications_local_only true\n"
                + "notification_topic n\nrestart_timeout 10 30\nround_robin true\nstart_type lazy\nthreshold 10\n"
                + "try_private false\nbridge_alpn x\nbridge_attempt_unsubscribe false\nbridge_bind_address 10.0.0.2\n"
                + "bridge_capath /c\nbridge_certfile /c\nbridge_keyfile /k\nbridge_identity i\nbridge_psk ab\n"
                + "bridge_insecure true\nbridge_max_packet_size 1000\nbridge_outgoing_retain false\n"
                + "bridge_protocol_version mqttv50\nbridge_require_ocsp true\nbridge_tls_version tlsv1.2\n");
        assertThat(c.warnings()).hasSize(35).allSatisfy(w -> assertThat(w).endsWith("is not supported yet and was ignored."));
    }
}
