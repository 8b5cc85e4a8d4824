package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("mosquitto.conf");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void noListenerLines_meanLocalOnlyDefaults() throws Exception {
        BrokerConfig c = ConfigFile.read(write("# nothing but a comment\n\n"));
        assertThat(c.listeners()).isEmpty();
        assertThat(c.maxInflightMessages()).isEqualTo(20);
        assertThat(c.maxQueuedMessages()).isEqualTo(1000);
        assertThat(c.allowAnonymous()).isNull();
    }

    @Test
    void listenerLines_withAndWithoutAddress_areReadInOrder() throws Exception {
        BrokerConfig c = ConfigFile.read(write("listener 1883\nlistener 1884 127.0.0.1\n"));
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1883, null), new ListenerConfig(1884, "127.0.0.1"));
    }

    @Test
    void legacyPortAndBindAddress_makeOneListener() throws Exception {
        BrokerConfig c = ConfigFile.read(write("port 1999\nbind_address 127.0.0.1\n"));
        assertThat(c.listeners()).containsExactly(new ListenerConfig(1999, "127.0.0.1"));
    }

    @Test
    void coreLimits_areApplied() throws Exception {
        BrokerConfig c = ConfigFile.read(write("max_inflight_messages 5\nmax_queued_messages 7\nqueue_qos0_messages true\n"
                + "message_size_limit 1000\nmax_keepalive 120\nallow_zero_length_clientid false\nauto_id_prefix x-\n"));
        assertThat(c.maxInflightMessages()).isEqualTo(5);
        assertThat(c.maxQueuedMessages()).isEqualTo(7);
        assertThat(c.queueQos0Messages()).isTrue();
        assertThat(c.messageSizeLimit()).isEqualTo(1000);
        assertThat(c.maxKeepalive()).isEqualTo(120);
        assertThat(c.allowZeroLengthClientId()).isFalse();
        assertThat(c.autoIdPrefix()).isEqualTo("x-");
    }

    @Test
    void badPort_namesFileAndLine() throws Exception {
        Path file = write("# comment\nlistener 99999\n");
        assertThatThrownBy(() -> ConfigFile.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Error: " + file + ":2: Invalid port given: 99999");
    }

    @Test
    void missingValue_namesFileLineAndOption() throws Exception {
        Path file = write("max_inflight_messages\n");
        assertThatThrownBy(() -> ConfigFile.read(file)).hasMessageContaining(file + ":1:")
                .hasMessageContaining("max_inflight_messages");
    }

    @Test
    void badBoolean_isAnError() throws Exception {
        Path file = write("queue_qos0_messages yes\n");
        assertThatThrownBy(() -> ConfigFile.read(file)).hasMessageContaining(file + ":1:")
                .hasMessageContaining("queue_qos0_messages");
    }

    @Test
    void optionsNotSupportedYet_areAcceptedWithAWarningNamingThem() throws Exception {
        BrokerConfig c = ConfigFile.read(write("listener 1883\npersistence true\n"));
        assertThat(c.warnings()).singleElement().asString().contains(":2:").contains("persistence");
    }

    @Test
    void unreadableFile_isAnErrorNamingIt() {
        Path missing = dir.resolve("missing.conf");
        assertThatThrownBy(() -> ConfigFile.read(missing)).hasMessageContaining(missing.toString());
    }
}
