package io.starling.broker.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.Layout;
import io.netty.buffer.Unpooled;
import io.starling.broker.config.LogType;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.Message;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * mosquitto's {@code log_dest topic}: each log line (as the other destinations write it, timestamp
 * included) is published, not retained, at QoS 2 with a 20-second message expiry, to
 * {@code $SYS/broker/log/} + {@code E} (error), {@code W} (warning), {@code N} (notice: connection
 * messages), {@code I} (information), {@code M/subscribe}, {@code M/unsubscribe} or {@code WS}.
 * Debug lines are not published, as in mosquitto: delivering a log message itself logs debug lines,
 * which would never end. The {@link LogTypeFilter} on this appender picks the types.
 */
final class TopicLogAppender extends AppenderBase<ILoggingEvent> {
    private static final long EXPIRY_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final BrokerCore core;
    private final Layout<ILoggingEvent> layout;

    TopicLogAppender(BrokerCore core, Layout<ILoggingEvent> layout) {
        this.core = core;
        this.layout = layout;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String topic = topicOf(LogTypeFilter.typeOf(event));
        if (topic == null || core.isShuttingDown()) {
            return;
        }
        byte[] text = layout.doLayout(event).getBytes(StandardCharsets.UTF_8);
        Message message = new Message(topic, QoS.EXACTLY_ONCE, false, Unpooled.wrappedBuffer(text), Properties.EMPTY,
                "", core.clock().nanoTime() + EXPIRY_NANOS);
        core.router().route(message);
        message.release();
    }

    /** mosquitto's topic for a log type, or null for debug lines, which are not published. */
    static String topicOf(LogType type) {
        switch (type) {
            case ERROR: return "$SYS/broker/log/E";
            case WARNING: return "$SYS/broker/log/W";
            case NOTICE: return "$SYS/broker/log/N";
            case INFORMATION: return "$SYS/broker/log/I";
            case SUBSCRIBE: return "$SYS/broker/log/M/subscribe";
            case UNSUBSCRIBE: return "$SYS/broker/log/M/unsubscribe";
            case WEBSOCKETS: return "$SYS/broker/log/WS";
            default: return null;
        }
    }
}
