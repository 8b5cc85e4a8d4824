package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.config.LogType;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** {@code log_dest topic}: log lines arrive on mosquitto's $SYS/broker/log/... topics, debug lines do not. */
class TopicLogAppenderTest {
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String logger, Level level, String message, Object... args) {
        return new LoggingEvent("x", context.getLogger(logger), level, message, null, args);
    }

    @Test
    void logLines_arePublishedUnderSysBrokerLogByType() throws Exception {
        try (Broker broker = Broker.start(BrokerConfig.defaults()
                .withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))).withAllowAnonymous(true))) {
            MqttClient sub = new MqttClient("tcp://127.0.0.1:" + broker.port(), "log-reader", new MemoryPersistence());
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            sub.connect();
            sub.subscribe("$SYS/broker/log/#", 2, (topic, m) -> got.add(topic + " q" + m.getQos() + " r"
                    + (m.isRetained() ? 1 : 0) + " " + new String(m.getPayload())));
            PatternLayout layout = new PatternLayout();
            layout.setContext(context);
            layout.setPattern("%unixtime: %msg");
            layout.getInstanceConverterMap().put("unixtime", UnixTimeConverter::new);
            layout.start();
            TopicLogAppender appender = new TopicLogAppender(broker.core(), layout);
            appender.setContext(context);
            LogTypeFilter filter = new LogTypeFilter(EnumSet.allOf(LogType.class));
            filter.start();
            appender.addFilter(filter);
            appender.start();

            appender.doAppend(event("t", Level.WARN, "disk {} full", "sda"));
            appender.doAppend(event("t", Level.DEBUG, "noise"));
            appender.doAppend(event("t", Level.INFO, "hello"));
            appender.doAppend(event(LogTypeFilter.CONNECTIONS, Level.INFO, "New client connected from x as y."));
            appender.doAppend(event(LogTypeFilter.SUBSCRIBE, Level.DEBUG, "y 1 a/b"));
            appender.doAppend(event(LogTypeFilter.UNSUBSCRIBE, Level.DEBUG, "y a/b"));

            assertThat(got.poll(5, TimeUnit.SECONDS)).matches("\\$SYS/broker/log/W q2 r0 \\d+: disk sda full");
            assertThat(got.poll(5, TimeUnit.SECONDS)).matches("\\$SYS/broker/log/I q2 r0 \\d+: hello");
            assertThat(got.poll(5, TimeUnit.SECONDS)).matches("\\$SYS/broker/log/N q2 r0 \\d+: New client connected from x as y\\.");
            assertThat(got.poll(5, TimeUnit.SECONDS)).matches("\\$SYS/broker/log/M/subscribe q2 r0 \\d+: y 1 a/b");
            assertThat(got.poll(5, TimeUnit.SECONDS)).matches("\\$SYS/broker/log/M/unsubscribe q2 r0 \\d+: y a/b");
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
            sub.disconnect();
            sub.close();
        }
    }

    @Test
    void topicOf_isMosquittosTopicForEachType() {
        assertThat(TopicLogAppender.topicOf(LogType.ERROR)).isEqualTo("$SYS/broker/log/E");
        assertThat(TopicLogAppender.topicOf(LogType.WEBSOCKETS)).isEqualTo("$SYS/broker/log/WS");
        assertThat(TopicLogAppender.topicOf(LogType.DEBUG)).isNull();
    }
}
