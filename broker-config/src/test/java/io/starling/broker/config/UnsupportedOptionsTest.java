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
            "auth_plugin /usr/lib/auth.so", "plugin /usr/lib/go-auth.so"})
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
    void dynamicSecurityPlugin_isKeptWithItsOptions_andOtherPluginsAreWarnedAbout() throws Exception {
        BrokerConfig c = read("""
                plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so
                plugin_opt_config_file /var/lib/mosquitto/dynamic-security.json
                auth_plugin /usr/lib/go-auth.so
                auth_opt_backends files
                auth_plugin_deny_special_chars false
                """);
        assertThat(c.warnings()).extracting(w -> w.substring(w.indexOf('\'')))
                .containsExactly("'auth_plugin' is not supported yet and was ignored.",
                        "'auth_opt_backends' is not supported yet and was ignored.",
                        "'auth_plugin_deny_special_chars' is not supported yet and was ignored.");
        PluginConfig dynsec = c.security().dynamicSecurity();
        assertThat(dynsec.path()).isEqualTo("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so");
        assertThat(dynsec.options()).containsExactly(
                java.util.Map.entry("config_file", "/var/lib/mosquitto/dynamic-security.json"));
        assertThat(dynsec.where()).endsWith("mosquitto.conf:1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dynamic-security", "mosquitto_dynamic_security.so", "/opt/lib/mosquitto_dynamic_security.so"})
    void dynamicSecurityPlugin_isKnownByItsLibraryNameOrBuiltInName(String path) throws Exception {
        BrokerConfig c = read("plugin " + path + "\nplugin_opt_config_file /x.json\n");
        assertThat(c.warnings()).isEmpty();
        assertThat(c.security().dynamicSecurity().option("config_file")).isEqualTo("/x.json");
    }

    @Test
    void pluginOptionWithoutAPlugin_isRefusedAsByMosquitto() throws Exception {
        assertThat(error("plugin_opt_config_file /x.json\n"))
                .contains("A plugin_opt_ option exists in the config file without a plugin.");
    }

    @Test
    void dynamicSecurityWithPerListenerSettings_belongsToTheListenerItFollows() throws Exception {
        BrokerConfig c = read("per_listener_settings true\nlistener 1883\nlistener 1884\n"
                + "plugin dynamic-security\nplugin_opt_config_file /x.json\n");
        assertThat(c.security().dynamicSecurity()).isNull();
        assertThat(c.securityFor(c.listeners().get(0)).dynamicSecurity()).isNull();
        assertThat(c.securityFor(c.listeners().get(1)).dynamicSecurity().option("config_file")).isEqualTo("/x.json");
    }
}
