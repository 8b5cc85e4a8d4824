package io.starling.broker.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.net.SyslogAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import io.starling.broker.config.LogDestination;
import io.starling.broker.config.LogType;
import io.starling.broker.config.LoggingConfig;
import ch.qos.logback.classic.PatternLayout;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Set;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Applies mosquitto's logging options ({@code log_dest}, {@code log_type}, {@code log_timestamp},
 * {@code log_timestamp_format}, {@code connection_messages}) to Logback. {@code -v} is
 * {@code log_type all}. Each destination gets a {@link LogTypeFilter}, so types are chosen one by one;
 * logger levels make sure lines of no chosen type are not even formatted. {@code log_dest dlt} is
 * named in a warning.
 */
final class LogSetup {
    private LogSetup() {
    }

    static void apply(LoggingConfig config, boolean verbose) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        EscapedMessageConverter.register(context);
        Set<LogType> types = verbose ? EnumSet.allOf(LogType.class) : config.types();
        String pattern = linePattern(config) + "%n%ex{short}";
        for (LogDestination destination : config.destinations()) {
            if (destination == LogDestination.SYSLOG) {
                root.addAppender(syslog(context, types));
                continue;
            }
            if (destination == LogDestination.TOPIC) {
                continue; // attached once the broker runs: see attachTopicDestination
            }
            OutputStreamAppender<ILoggingEvent> appender = appenderFor(destination, config, context);
            if (appender == null) {
                root.warn("Warning: log_dest {} is not supported yet; those log lines are not written.", destination);
                continue;
            }
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern(pattern);
            encoder.start();
            appender.setContext(context);
            appender.setEncoder(encoder);
            appender.addFilter(filter(types));
            appender.start();
            root.addAppender(appender);
        }
        root.setLevel(levelOf(types));
        context.getLogger("io.netty").setLevel(Level.WARN);
        boolean notices = types.contains(LogType.NOTICE) && config.connectionMessages();
        context.getLogger(LogTypeFilter.CONNECTIONS).setLevel(notices ? Level.INFO : Level.WARN);
        context.getLogger(LogTypeFilter.SUBSCRIBE).setLevel(types.contains(LogType.SUBSCRIBE) ? Level.DEBUG : Level.WARN);
        context.getLogger(LogTypeFilter.UNSUBSCRIBE).setLevel(types.contains(LogType.UNSUBSCRIBE) ? Level.DEBUG : Level.WARN);
        context.getLogger(LogTypeFilter.WEBSOCKETS).setLevel(types.contains(LogType.WEBSOCKETS) ? Level.DEBUG : null);
    }

    /** A log line as mosquitto writes it: the timestamp (unless log_timestamp false), ": ", the message. */
    static String linePattern(LoggingConfig config) {
        return (config.timestamp() ? timestampPattern(config.timestampFormat()) + ": " : "") + "%msg";
    }

    private static LogTypeFilter filter(Set<LogType> types) {
        LogTypeFilter filter = new LogTypeFilter(types);
        filter.start();
        return filter;
    }

    /** {@code log_dest syslog}: the local syslog daemon over UDP, facility daemon, tagged "starling". */
    private static SyslogAppender syslog(LoggerContext context, Set<LogType> types) {
        SyslogAppender appender = new SyslogAppender();
        appender.setContext(context);
        appender.addFilter(filter(types));
        appender.setSyslogHost("localhost");
        appender.setFacility("DAEMON");
        appender.setSuffixPattern("starling: %msg");
        appender.start();
        return appender;
    }

    /** {@code log_dest topic}: log lines published under {@code $SYS/broker/log/}, as mosquitto does. */
    static void attachTopicDestination(LoggingConfig config, boolean verbose, io.starling.broker.core.BrokerCore core) {
        if (!config.destinations().contains(LogDestination.TOPIC)) {
            return;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        EscapedMessageConverter.register(context);
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(linePattern(config));
        layout.start();
        TopicLogAppender appender = new TopicLogAppender(core, layout);
        appender.setContext(context);
        appender.addFilter(filter(verbose ? EnumSet.allOf(LogType.class) : config.types()));
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }

    private static OutputStreamAppender<ILoggingEvent> appenderFor(LogDestination destination, LoggingConfig config,
                                                                   LoggerContext context) {
        switch (destination) {
            case STDERR: {
                ConsoleAppender<ILoggingEvent> a = new ConsoleAppender<>();
                a.setTarget("System.err");
                return a;
            }
            case STDOUT: {
                ConsoleAppender<ILoggingEvent> a = new ConsoleAppender<>();
                a.setTarget("System.out");
                return a;
            }
            case FILE: {
                FileAppender<ILoggingEvent> a = new FileAppender<>();
                a.setFile(config.file().toString());
                a.setAppend(true);
                return a;
            }
            default:
                return null;
        }
    }

    /**
     * The root level: the most detailed one the level-based types (debug, information, warning, error)
     * ask for. Notice, subscribe, unsubscribe and websockets lines have their own loggers and levels.
     */
    static Level levelOf(Set<LogType> types) {
        if (types.contains(LogType.DEBUG)) {
            return Level.DEBUG;
        }
        if (types.contains(LogType.INFORMATION)) {
            return Level.INFO;
        }
        if (types.contains(LogType.WARNING)) {
            return Level.WARN;
        }
        return types.contains(LogType.ERROR) ? Level.ERROR : Level.OFF;
    }

    private static final Map<Character, String> STRFTIME = new HashMap<>();

    static {
        STRFTIME.put('Y', "yyyy");
        STRFTIME.put('m', "MM");
        STRFTIME.put('d', "dd");
        STRFTIME.put('H', "HH");
        STRFTIME.put('M', "mm");
        STRFTIME.put('S', "ss");
        STRFTIME.put('z', "Z");
        STRFTIME.put('F', "yyyy-MM-dd");
        STRFTIME.put('T', "HH:mm:ss");
        STRFTIME.put('b', "MMM");
        STRFTIME.put('y', "yy");
    }

    /** Logback's date pattern for a strftime format (the common conversions), or mosquitto's epoch seconds. */
    static String timestampPattern(String strftime) {
        if (strftime == null) {
            return "%unixtime";
        }
        StringBuilder java = new StringBuilder();
        for (int i = 0; i < strftime.length(); i++) {
            char c = strftime.charAt(i);
            if (c == '%' && i + 1 < strftime.length()) {
                String mapped = STRFTIME.get(strftime.charAt(++i));
                java.append(mapped != null ? mapped : "'%" + strftime.charAt(i) + "'");
            } else if (Character.isLetter(c)) {
                java.append('\'').append(c).append('\'');
            } else {
                java.append(c);
            }
        }
        return "%d{" + java + "}";
    }
}
