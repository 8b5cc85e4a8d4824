package io.starling.mqtt.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code -L} URLs, read as mosquitto_pub/sub 2.0.11 read them. */
class MqttUrlTest {
    @Test
    void fullUrl_givesEveryPart() throws Exception {
        assertThat(MqttUrl.parse("mqtt://user:pass@host:1884/a/b/c"))
                .isEqualTo(new MqttUrl("host", 1884, "user", "pass", "a/b/c", false));
    }

    @Test
    void defaults_areTheSchemesPorts() throws Exception {
        assertThat(MqttUrl.parse("mqtt://host/t")).isEqualTo(new MqttUrl("host", 1883, null, null, "t", false));
        assertThat(MqttUrl.parse("mqtts://host/t")).isEqualTo(new MqttUrl("host", 8883, null, null, "t", true));
    }

    @Test
    void scheme_isReadWithoutRegardToCase() throws Exception {
        assertThat(MqttUrl.parse("MQTTS://host/t").tls()).isTrue();
    }

    @Test
    void userWithoutPassword_hasNullPassword() throws Exception {
        assertThat(MqttUrl.parse("mqtt://user@host/t")).isEqualTo(new MqttUrl("host", 1883, "user", null, "t", false));
    }

    @Test
    void passwordMayHoldColons_afterTheFirst() throws Exception {
        assertThat(MqttUrl.parse("mqtt://u:p:q@h/t").password()).isEqualTo("p:q");
    }

    @Test
    void emptyTopic_andWildcards_areKeptForTheCallerToCheck() throws Exception {
        assertThat(MqttUrl.parse("mqtt://h/").topic()).isEmpty();
        assertThat(MqttUrl.parse("mqtt://h/a/#").topic()).isEqualTo("a/#");
    }

    @Test
    void badPort_isZero_asAtoiMakesIt() throws Exception {
        assertThat(MqttUrl.parse("mqtt://h:abc/t").port()).isZero();
    }

    @Test
    void otherSchemes_andMissingTopic_areRefused() {
        assertThatThrownBy(() -> MqttUrl.parse("ws://h/t")).hasMessage("Error: unsupported URL scheme.\n\n");
        assertThatThrownBy(() -> MqttUrl.parse("http://h/t")).hasMessage("Error: unsupported URL scheme.\n\n");
        assertThatThrownBy(() -> MqttUrl.parse("mqtt://h:1883"))
                .hasMessage("Error: Invalid URL for -L argument specified - topic missing.\n");
    }
}
