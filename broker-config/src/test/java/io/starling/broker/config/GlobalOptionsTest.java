package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobalOptionsTest extends ConfigTestSupport {

    @Test
    void limits_areRead() throws Exception {
        BrokerConfig c = read("""
                max_inflight_messages 5
                max_inflight_bytes 100000
                max_queued_messages 7
                max_queued_bytes 3000000000
                queue_qos0_messages true
                message_size_limit 1000
                max_packet_size 2000
                max_keepalive 120
                max_subscribe_filters 30
                """);
        assertThat(c.limits()).isEqualTo(new Limits(5, 100000, 7, 3_000_000_000L, true, 1000, 2000, 120, 30));
    }

    @Test
    void eventLoops_isReadAndDefaultsToZeroForOnePerProcessor() throws Exception {
        assertThat(read("").eventLoops()).isZero();
        assertThat(read("event_loops 1\n").eventLoops()).isEqualTo(1);
        assertThat(read("event_loops 8\n").eventLoops()).isEqualTo(8);
    }

    @Test
    void passwordCheckLimits_areReadWithDefaultsTwoAndSixteen() throws Exception {
        assertThat(read("").limits().passwordCheckThreads()).isEqualTo(2);
        assertThat(read("").limits().maxPendingPasswordChecks()).isEqualTo(16);

        Limits l = read("""
                password_check_threads 4
                max_pending_password_checks 100
                """).limits();

        assertThat(l.passwordCheckThreads()).isEqualTo(4);
        assertThat(l.maxPendingPasswordChecks()).isEqualTo(100);
    }

    @Test
    void overloadLimits_areReadWithTheirDefaults() throws Exception {
        assertThat(read("").limits().overload()).isEqualTo(OverloadLimits.DEFAULTS);
        assertThat(OverloadLimits.DEFAULTS).isEqualTo(new OverloadLimits(16L << 20, 16L << 20, 65536, 1024, 32L << 20));

        OverloadLimits o = read("""
                max_outgoing_bytes 0
                max_loop_backlog_bytes 5000000000
                max_connect_bytes 131072
                max_connecting_clients 10
                max_connecting_bytes 1048576
                max_held_qos2_bytes 4096
                """).limits().overload();

        assertThat(o).isEqualTo(new OverloadLimits(0, 5_000_000_000L, 131072, 10, 1_048_576, 4096));
        assertThat(OverloadLimits.DEFAULTS.maxHeldQos2Bytes()).isEqualTo(16L << 20);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "max_inflight_messages, -1, 0",
            "max_inflight_messages, 65535, 0",
            "max_inflight_messages, 0, 0",
            "max_inflight_bytes, -1, 0",
            "max_queued_messages, -3, 0",
            "max_queued_bytes, -3, 0",
    })
    void mosquittoClampsSomeNegativeLimits_toNoLimit(String key, String value, long expected) throws Exception {
        Limits l = read(key + " " + value + "\n").limits();
        long actual = switch (key) {
            case "max_inflight_messages" -> l.maxInflightMessages();
            case "max_inflight_bytes" -> l.maxInflightBytes();
            case "max_queued_messages" -> l.maxQueuedMessages();
            default -> l.maxQueuedBytes();
        };
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void limitsAtTheEdgesOfTheirRanges_areAccepted() throws Exception {
        Limits l = read("max_keepalive 10\nmax_packet_size 20\nmessage_size_limit 268435455\nmax_inflight_messages 65534\n")
                .limits();
        assertThat(l.maxKeepalive()).isEqualTo(10);
        assertThat(l.maxPacketSize()).isEqualTo(20);
        assertThat(l.messageSizeLimit()).isEqualTo(268_435_455);
        assertThat(l.maxInflightMessages()).isEqualTo(65534);
    }

    @Test
    void persistence_isRead() throws Exception {
        BrokerConfig c = read("""
                persistence true
                persistence_location /var/lib/mosquitto/
                persistence_file broker.db
                autosave_interval 60
                autosave_on_changes true
                """);
        assertThat(c.persistence()).isEqualTo(
                new PersistenceConfig(true, Path.of("/var/lib/mosquitto/"), "broker.db", 60, true));
        assertThat(c.persistence().path()).isEqualTo(Path.of("/var/lib/mosquitto/broker.db"));
    }

    @Test
    void retainedPersistence_isTheOldNameOfPersistence() throws Exception {
        assertThat(read("retained_persistence true\n").persistence().enabled()).isTrue();
    }

    @Test
    void negativeAutosaveInterval_isZero_asInMosquitto() throws Exception {
        assertThat(read("autosave_interval -5\n").persistence().autosaveInterval()).isZero();
    }

    @Test
    void logging_isRead() throws Exception {
        BrokerConfig c = read("""
                log_dest stdout
                log_dest file /var/log/mosquitto/mosquitto.log
                log_dest topic
                log_type error
                log_type subscribe
                log_type websockets
                log_timestamp false
                log_timestamp_format %Y-%m-%dT%H:%M:%S
                connection_messages false
                """);
        assertThat(c.logging()).isEqualTo(new LoggingConfig(
                EnumSet.of(LogDestination.STDOUT, LogDestination.FILE, LogDestination.TOPIC),
                Path.of("/var/log/mosquitto/mosquitto.log"), EnumSet.of(LogType.ERROR, LogType.SUBSCRIBE, LogType.WEBSOCKETS),
                false, "%Y-%m-%dT%H:%M:%S", false));
        assertThat(c.logging().logs(LogType.SUBSCRIBE)).isTrue();
        assertThat(c.logging().logs(LogType.INFORMATION)).isFalse();
    }

    @Test
    void logDestAndLogType_noneAndAll() throws Exception {
        LoggingConfig l = read("log_dest stderr\nlog_dest none\nlog_type none\nlog_type all\n").logging();
        assertThat(l.destinations()).isEmpty();
        assertThat(l.types()).isEqualTo(EnumSet.allOf(LogType.class));
    }

    @Test
    void everyLogDestinationAndType_isKnown() throws Exception {
        StringBuilder text = new StringBuilder();
        for (LogDestination d : LogDestination.values()) {
            text.append("log_dest ").append(d.configName()).append(d == LogDestination.FILE ? " /tmp/log" : "").append('\n');
        }
        for (LogType t : LogType.values()) {
            text.append("log_type ").append(t.configName()).append('\n');
        }
        LoggingConfig l = read(text.toString()).logging();
        assertThat(l.destinations()).isEqualTo(EnumSet.allOf(LogDestination.class));
        assertThat(l.types()).isEqualTo(EnumSet.allOf(LogType.class));
    }

    @Test
    void logDestFile_afterNone_isNotLogged() throws Exception {
        LoggingConfig l = read("log_dest file /tmp/log\nlog_dest none\n").logging();
        assertThat(l.destinations()).isEmpty();
        assertThat(l.file()).isNull();
    }

    @Test
    void generalOptions_areRead() throws Exception {
        BrokerConfig c = read("""
                persistent_client_expiration 14d
                retain_available false
                upgrade_outgoing_qos true
                check_retain_source true
                set_tcp_nodelay true
                sys_interval 0
                clientid_prefixes secure-
                pid_file /run/mosquitto/mosquitto.pid
                user nobody
                """);
        assertThat(c.persistentClientExpiration()).isEqualTo(Duration.ofDays(14));
        assertThat(c.retainAvailable()).isFalse();
        assertThat(c.upgradeOutgoingQos()).isTrue();
        assertThat(c.checkRetainSource()).isTrue();
        assertThat(c.setTcpNodelay()).isTrue();
        assertThat(c.sysInterval()).isZero();
        assertThat(c.clientidPrefixes()).isEqualTo("secure-");
        assertThat(c.pidFile()).isEqualTo(Path.of("/run/mosquitto/mosquitto.pid"));
        assertThat(c.user()).isEqualTo("nobody");
    }

    @ParameterizedTest(name = "{0} = {1} hours")
    @CsvSource({"1h, 1", "2d, 48", "1w, 168", "1m, 720", "1y, 8760"})
    void persistentClientExpiration_usesMosquittosUnits(String value, long hours) throws Exception {
        assertThat(read("persistent_client_expiration " + value + "\n").persistentClientExpiration())
                .isEqualTo(Duration.ofHours(hours));
    }

    @Test
    void repeatedLogTypeAndLogDest_addUp_withoutWarnings() throws Exception {
        BrokerConfig c = read("log_type error\nlog_type warning\nlog_dest stdout\nlog_dest syslog\n");
        assertThat(c.logging().types()).isEqualTo(Set.of(LogType.ERROR, LogType.WARNING));
        assertThat(c.logging().destinations()).isEqualTo(Set.of(LogDestination.STDOUT, LogDestination.SYSLOG));
        assertThat(c.warnings()).isEmpty();
    }
}
