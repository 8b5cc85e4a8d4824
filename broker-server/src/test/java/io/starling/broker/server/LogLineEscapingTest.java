package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A client cannot forge log lines: what it sends (client id, user name) is written with its control
 * characters escaped, through the logging the broker sets up from mosquitto.conf ({@code log_dest}).
 */
class LogLineEscapingTest {
    private static final String FORGED = "1700000000: New client connected from 10.0.0.1 as admin (p2, c1, k60, u'root').";

    @TempDir
    Path dir;

    @AfterEach
    void restoreTestLogging() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void clientIdAndUserNameWithNewlinesAndEscapes_stayOnTheirLogLine() throws Exception {
        Path log = dir.resolve("broker.log");
        Path conf = Files.writeString(dir.resolve("m.conf"), "log_dest file " + log + "\nallow_anonymous true\n");
        BrokerConfig config = ConfigFile.read(conf);
        LogSetup.apply(config.logging(), false);
        try (Broker broker = Broker.start(config.withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))));
             RawMqttClient raw = RawMqttClient.open(broker.port())) {
            raw.connect(new Connect(MqttVersion.MQTT_3_1_1, "evil\n" + FORGED, true, 60,
                    "u\r\n" + FORGED + "\u001b[2J", null, null, Properties.EMPTY));
            raw.disconnect();
            raw.isClosedWithin(java.time.Duration.ofSeconds(2));
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(lines).as("log lines").isNotEmpty()
                .noneMatch(line -> line.startsWith("1700000000:"))
                .noneMatch(line -> line.contains("\u001b"))
                .anyMatch(line -> line.contains("as evil\\n" + FORGED) && line.contains("u'u\\r\\n1700000000:")
                        && line.contains("\\x1b[2J'"));
    }

    @Test
    void escape_leavesPlainTextAlone_andWritesControlsVisibly() {
        assertThat(EscapedMessageConverter.escape("plain ümlaut \\n text")).isEqualTo("plain ümlaut \\n text");
        assertThat(EscapedMessageConverter.escape("a\nb\rc\td\u0000e\u007f\u009b\u2028"))
                .isEqualTo("a\\nb\\rc\\td\\x00e\\x7f\\x9b\\u2028");
    }
}
