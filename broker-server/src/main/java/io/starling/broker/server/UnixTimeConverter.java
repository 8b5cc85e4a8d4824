package io.starling.broker.server;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Log timestamps as seconds since the epoch, as mosquitto writes them ("1700000000: ..."). */
public final class UnixTimeConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Long.toString(event.getTimeStamp() / 1000);
    }
}
