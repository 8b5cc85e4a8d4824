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
import java.util.HashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Applies mosquitto's logging options ({@code log_dest}, {@code log_type}, {@code log_timestamp},
 * {@code log_timestamp_format}, {@code connection_messages}) to Logback. {@code -v} is
 * {@code log_type all}. Destinations Starling cannot write to yet (syslog, topic, dlt) are named in
 * a warning.
 */
final class LogSetup {
    private LogSetup() {
    }

    static void apply(LoggingConfig config, boolean verbose) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        String pattern = (config.timestamp() ? timestampPattern(config.timestampFormat()) + ": " : "") + "%msg%n%ex{short}";
        for (LogDestination destination : config.destinations()) {
            if (destination == LogDestination.SYSLOG) {
                root.addAppender(syslog(context));
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
            appender.start();
            root.addAppender(appender);
        }
        root.setLevel(verbose ? Level.DEBUG : levelOf(config));
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("io.starling.broker.connections").setLevel(config.connectionMessages() ? null : Level.OFF);
    }

    /** {@code log_dest syslog}: the local syslog daemon over UDP, facility daemon, tagged "starling". */
    private static SyslogAppender syslog(LoggerContext context) {
        SyslogAppender appender = new SyslogAppender();
        appender.setContext(context);
        appender.setSyslogHost("localhost");
        appender.setFacility("DAEMON");
        appender.setSuffixPattern("starling: %msg");
        appender.start();
        return appender;
    }

    /** {@code log_dest topic}: log lines published under {@code $SYS/broker/log/}, as mosquitto does. */
    static void attachTopicDestination(LoggingConfig config, io.starling.broker.core.BrokerCore core) {
        if (!config.destinations().contains(LogDestination.TOPIC)) {
            return;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        TopicLogAppender appender = new TopicLogAppender(core);
        appender.setContext(context);
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

    /** The most detailed level any configured log_type asks for. */
    static Level levelOf(LoggingConfig config) {
        if (config.logs(LogType.DEBUG) || config.logs(LogType.SUBSCRIBE) || config.logs(LogType.UNSUBSCRIBE)) {
            return Level.DEBUG;
        }
        if (config.logs(LogType.INFORMATION) || config.logs(LogType.NOTICE)) {
            return Level.INFO;
        }
        if (config.logs(LogType.WARNING)) {
            return Level.WARN;
        }
        return config.logs(LogType.ERROR) ? Level.ERROR : Level.OFF;
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
