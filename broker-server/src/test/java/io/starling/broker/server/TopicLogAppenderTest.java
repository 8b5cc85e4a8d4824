package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ListenerConfig;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** {@code log_dest topic}: log lines arrive on $SYS/broker/log/{E,W,I}, debug lines do not. */
class TopicLogAppenderTest {
    @Test
    void logLines_arePublishedUnderSysBrokerLogByLevel() throws Exception {
        try (Broker broker = Broker.start(BrokerConfig.defaults()
                .withListeners(List.of(new ListenerConfig(0, "127.0.0.1"))).withAllowAnonymous(true))) {
            MqttClient sub = new MqttClient("tcp://127.0.0.1:" + broker.port(), "log-reader", new MemoryPersistence());
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            sub.connect();
            sub.subscribe("$SYS/broker/log/#", 0, (topic, m) -> got.add(topic + " " + new String(m.getPayload())));
            TopicLogAppender appender = new TopicLogAppender(broker.core());
            appender.setContext(new LoggerContext());
            appender.start();
            LoggerContext context = new LoggerContext();

            appender.doAppend(new LoggingEvent("x", context.getLogger("t"), Level.WARN, "disk {} full", null,
                    new Object[] {"sda"}));
            appender.doAppend(new LoggingEvent("x", context.getLogger("t"), Level.DEBUG, "noise", null, null));
            appender.doAppend(new LoggingEvent("x", context.getLogger("t"), Level.INFO, "hello", null, null));

            assertThat(got.poll(5, TimeUnit.SECONDS)).matches("\\$SYS/broker/log/W \\d+: disk sda full");
            assertThat(got.poll(5, TimeUnit.SECONDS)).matches("\\$SYS/broker/log/I \\d+: hello");
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
            sub.disconnect();
            sub.close();
        }
    }
}
