package io.starling.broker.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import io.starling.broker.config.LogType;
import java.util.EnumSet;
import java.util.Set;

/**
 * Passes the log lines of the configured {@code log_type}s, one by one as mosquitto selects them
 * (e.g. {@code log_type subscribe} alone shows subscriptions but no other debug line). A line's type
 * is its logger's when that logger stands for a type (connection messages are mosquitto's notices;
 * subscribe, unsubscribe and websockets lines have their own loggers), otherwise its level's.
 *
 * <p>Logger levels, set by {@link LogSetup}, keep lines of disabled types from being made at all, so
 * the packet trace costs nothing unless asked for; this filter does the exact selection.
 */
final class LogTypeFilter extends Filter<ILoggingEvent> {
    /** Clients connecting and disconnecting (mosquitto's notices); muted by {@code connection_messages false}. */
    static final String CONNECTIONS = "io.starling.broker.connections";
    static final String SUBSCRIBE = "io.starling.broker.subscribe";
    static final String UNSUBSCRIBE = "io.starling.broker.unsubscribe";
    static final String WEBSOCKETS = "io.starling.broker.websockets";

    private final Set<LogType> enabled;

    LogTypeFilter(Set<LogType> enabled) {
        this.enabled = enabled.isEmpty() ? EnumSet.noneOf(LogType.class) : EnumSet.copyOf(enabled);
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return enabled.contains(typeOf(event)) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }

    /** The mosquitto log type of a line. */
    static LogType typeOf(ILoggingEvent event) {
        Level level = event.getLevel();
        if (level.isGreaterOrEqual(Level.WARN)) {
            return level == Level.ERROR ? LogType.ERROR : LogType.WARNING;
        }
        switch (event.getLoggerName()) {
            case CONNECTIONS:
                return LogType.NOTICE;
            case SUBSCRIBE:
                return LogType.SUBSCRIBE;
            case UNSUBSCRIBE:
                return LogType.UNSUBSCRIBE;
            case WEBSOCKETS:
                return LogType.WEBSOCKETS;
            default:
                return level == Level.INFO ? LogType.INFORMATION : LogType.DEBUG;
        }
    }
}
