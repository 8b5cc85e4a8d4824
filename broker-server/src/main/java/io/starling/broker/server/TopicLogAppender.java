package io.starling.broker.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.Message;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;

/**
 * mosquitto's {@code log_dest topic}: every log line of level information and above is published at
 * QoS 0 to {@code $SYS/broker/log/E}, {@code W} or {@code I}. Debug lines are not published: the
 * delivery of a log message would itself log a debug line, without end.
 */
final class TopicLogAppender extends AppenderBase<ILoggingEvent> {
    private final BrokerCore core;

    TopicLogAppender(BrokerCore core) {
        this.core = core;
    }

    @Override
    protected void append(ILoggingEvent event) {
        Level level = event.getLevel();
        if (!level.isGreaterOrEqual(Level.INFO) || core.isShuttingDown()) {
            return;
        }
        String letter = level == Level.ERROR ? "E" : level == Level.WARN ? "W" : "I";
        byte[] text = (event.getTimeStamp() / 1000 + ": " + event.getFormattedMessage()).getBytes(StandardCharsets.UTF_8);
        Message message = new Message("$SYS/broker/log/" + letter, QoS.AT_MOST_ONCE, false,
                Unpooled.wrappedBuffer(text), Properties.EMPTY, "", Message.NEVER_EXPIRES);
        core.router().route(message);
        message.release();
    }
}
