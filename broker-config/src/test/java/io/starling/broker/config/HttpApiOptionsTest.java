package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** mosquitto 2.1's {@code protocol http_api} listener, its {@code http_dir}, and Starling's {@code http_metrics_auth}. */
class HttpApiOptionsTest extends ConfigTestSupport {

    @Test
    void protocolHttpApi_makesAnHttpApiListenerWithoutLoginForMetrics() throws Exception {
        BrokerConfig c = read("listener 1883\nlistener 9883 127.0.0.1\nprotocol http_api\n");

        ListenerConfig http = c.listeners().get(1);
        assertThat(http.protocol()).isEqualTo(Protocol.HTTP_API);
        assertThat(http.address()).isEqualTo("127.0.0.1");
        assertThat(http.http()).isEqualTo(HttpConfig.DEFAULTS);
        assertThat(http.http().metricsAuth()).isFalse();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void httpDirAndMetricsAuth_afterProtocolHttpApi_apply() throws Exception {
        BrokerConfig c = read("listener 9883\nprotocol http_api\nhttp_dir /srv/www\nhttp_metrics_auth true\n");

        assertThat(c.listeners().get(0).http()).isEqualTo(new HttpConfig(Path.of("/srv/www"), true, java.util.List.of()));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void httpDir_onAWebsocketsListener_isNotSupportedYet() throws Exception {
        BrokerConfig c = read("listener 9001\nprotocol websockets\nhttp_dir /srv/www\n");

        assertThat(c.listeners().get(0).http()).isEqualTo(HttpConfig.DEFAULTS);
        assertThat(c.warnings()).containsExactly(warningAt(3, "'http_dir' is not supported yet and was ignored."));
    }

    @Test
    void httpMetricsAuth_onAnMqttListener_isIgnoredWithAWarning() throws Exception {
        BrokerConfig c = read("listener 1883\nhttp_metrics_auth true\n");

        assertThat(c.listeners().get(0).http()).isEqualTo(HttpConfig.DEFAULTS);
        assertThat(c.warnings()).containsExactly(
                warningAt(2, "http_metrics_auth only applies after 'protocol http_api'; ignored."));
    }

    @Test
    void httpMetricsAuth_thatIsNoBoolean_isAnError() {
        assertThatThrownBy(() -> read("listener 9883\nprotocol http_api\nhttp_metrics_auth maybe\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(":3:");
    }

    @Test
    void httpDirTwice_isAnError() {
        assertThatThrownBy(() -> read("listener 9883\nprotocol http_api\nhttp_dir /a\nhttp_dir /b\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(":4:");
    }

    @Test
    void httpCorsOrigin_isNoneByDefault_andTakesOneOrMoreOrigins() throws Exception {
        assertThat(HttpConfig.DEFAULTS.corsOrigins()).isEmpty();
        BrokerConfig c = read("listener 9883\nprotocol http_api\n"
                + "http_cors_origin https://console.example.com http://127.0.0.1:8080\n");

        assertThat(c.listeners().get(0).http().corsOrigins())
                .containsExactly("https://console.example.com", "http://127.0.0.1:8080");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void httpCorsOrigin_thatIsNoOrigin_isAnErrorWithItsLine() {
        for (String bad : new String[] {"console.example.com", "https://console.example.com/", "https://a.example/path",
                "ftp://a.example", "https://", "null"}) {
            assertThatThrownBy(() -> read("listener 9883\nprotocol http_api\nhttp_cors_origin " + bad + "\n"))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining(":3:").hasMessageContaining(bad);
        }
    }

    @Test
    void httpCorsOrigin_onAnMqttListener_isIgnoredWithAWarning_andTwiceIsAnError() throws Exception {
        BrokerConfig c = read("listener 1883\nhttp_cors_origin https://a.example\n");
        assertThat(c.listeners().get(0).http()).isEqualTo(HttpConfig.DEFAULTS);
        assertThat(c.warnings()).containsExactly(
                warningAt(2, "http_cors_origin only applies after 'protocol http_api'; ignored."));
        assertThatThrownBy(() -> read("listener 9883\nprotocol http_api\nhttp_cors_origin https://a.example\n"
                + "http_cors_origin https://b.example\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(":4:");
    }
}
