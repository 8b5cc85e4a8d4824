package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import io.starling.broker.config.LogType;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** mosquitto's log types, selected one by one. */
class LogTypeFilterTest {
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String logger, Level level) {
        return new LoggingEvent("x", context.getLogger(logger), level, "line", null, null);
    }

    @Test
    void typeOf_connectionLinesAreNotices_subscribeAndUnsubscribeHaveTheirOwn() {
        assertThat(LogTypeFilter.typeOf(event(LogTypeFilter.CONNECTIONS, Level.INFO))).isEqualTo(LogType.NOTICE);
        assertThat(LogTypeFilter.typeOf(event(LogTypeFilter.SUBSCRIBE, Level.DEBUG))).isEqualTo(LogType.SUBSCRIBE);
        assertThat(LogTypeFilter.typeOf(event(LogTypeFilter.UNSUBSCRIBE, Level.DEBUG))).isEqualTo(LogType.UNSUBSCRIBE);
        assertThat(LogTypeFilter.typeOf(event(LogTypeFilter.WEBSOCKETS, Level.DEBUG))).isEqualTo(LogType.WEBSOCKETS);
        assertThat(LogTypeFilter.typeOf(event("io.starling.broker", Level.INFO))).isEqualTo(LogType.INFORMATION);
        assertThat(LogTypeFilter.typeOf(event("io.starling.broker", Level.DEBUG))).isEqualTo(LogType.DEBUG);
    }

    @Test
    void typeOf_warningsAndErrorsGoByLevelWhateverTheLogger() {
        assertThat(LogTypeFilter.typeOf(event(LogTypeFilter.CONNECTIONS, Level.WARN))).isEqualTo(LogType.WARNING);
        assertThat(LogTypeFilter.typeOf(event(LogTypeFilter.WEBSOCKETS, Level.ERROR))).isEqualTo(LogType.ERROR);
    }

    @Test
    void subscribeAlone_passesSubscribeLinesOnly() {
        LogTypeFilter filter = new LogTypeFilter(EnumSet.of(LogType.SUBSCRIBE));

        assertThat(filter.decide(event(LogTypeFilter.SUBSCRIBE, Level.DEBUG))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("io.starling.broker", Level.DEBUG))).isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(event(LogTypeFilter.UNSUBSCRIBE, Level.DEBUG))).isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(event("io.starling.broker", Level.ERROR))).isEqualTo(FilterReply.DENY);
    }

    @Test
    void informationWithoutNotice_hidesConnectionLines() {
        LogTypeFilter filter = new LogTypeFilter(EnumSet.of(LogType.INFORMATION, LogType.ERROR));

        assertThat(filter.decide(event("io.starling.broker", Level.INFO))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event(LogTypeFilter.CONNECTIONS, Level.INFO))).isEqualTo(FilterReply.DENY);
        assertThat(filter.decide(event("any", Level.ERROR))).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(event("any", Level.WARN))).isEqualTo(FilterReply.DENY);
    }

    @Test
    void none_passesNothing() {
        LogTypeFilter filter = new LogTypeFilter(EnumSet.noneOf(LogType.class));

        assertThat(filter.decide(event("any", Level.ERROR))).isEqualTo(FilterReply.DENY);
    }
}
