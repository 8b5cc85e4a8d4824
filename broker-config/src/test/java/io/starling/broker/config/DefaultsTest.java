package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultsTest extends ConfigTestSupport {

    @Test
    void fileWithOnlyComments_givesMosquittoDefaults() throws Exception {
        BrokerConfig c = read("# nothing but a comment\n\n");
        assertThat(c).isEqualTo(BrokerConfig.defaults());
    }

    @Test
    void defaults_areMosquitto20s() {
        BrokerConfig c = BrokerConfig.defaults();
        assertThat(c.listeners()).isEmpty();
        assertThat(c.localOnly()).isTrue();
        assertThat(c.perListenerSettings()).isFalse();
        assertThat(c.security()).isEqualTo(new SecurityConfig(null, null, null, null, true, "auto-"));
        assertThat(c.limits()).isEqualTo(new Limits(20, 0, 1000, 0, false, 0, 0, 65535, 1000));
        assertThat(c.persistence()).isEqualTo(new PersistenceConfig(false, null, "mosquitto.db", 1800, false));
        assertThat(c.persistence().path()).isEqualTo(Path.of("mosquitto.db"));
        assertThat(c.logging().destinations()).containsExactly(LogDestination.STDERR);
        assertThat(c.logging().types()).isEqualTo(Set.of(LogType.ERROR, LogType.WARNING, LogType.NOTICE, LogType.INFORMATION));
        assertThat(c.logging().timestamp()).isTrue();
        assertThat(c.logging().timestampFormat()).isNull();
        assertThat(c.logging().connectionMessages()).isTrue();
        assertThat(c.persistentClientExpiration()).isNull();
        assertThat(c.retainAvailable()).isTrue();
        assertThat(c.upgradeOutgoingQos()).isFalse();
        assertThat(c.checkRetainSource()).as("2.0.11 checks nothing without the line (measured)").isFalse();
        assertThat(c.setTcpNodelay()).isFalse();
        assertThat(c.sysInterval()).isEqualTo(10);
        assertThat(c.clientidPrefixes()).isNull();
        assertThat(c.pidFile()).isNull();
        assertThat(c.user()).isEqualTo("mosquitto");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void shortcutAccessors_readTheGroups() {
        BrokerConfig c = BrokerConfig.defaults();
        assertThat(c.allowAnonymous()).isNull();
        assertThat(c.maxInflightMessages()).isEqualTo(20);
        assertThat(c.maxQueuedMessages()).isEqualTo(1000);
        assertThat(c.maxQueuedBytes()).isZero();
        assertThat(c.queueQos0Messages()).isFalse();
        assertThat(c.maxPacketSize()).isZero();
        assertThat(c.messageSizeLimit()).isZero();
        assertThat(c.maxKeepalive()).isEqualTo(65535);
        assertThat(c.allowZeroLengthClientId()).isTrue();
        assertThat(c.autoIdPrefix()).isEqualTo("auto-");
    }

    @Test
    void noListener_isLocalOnlyMode_whereAnonymousIsAllowed() throws Exception {
        BrokerConfig c = read("max_inflight_messages 5\n");
        assertThat(c.localOnly()).isTrue();
        ListenerConfig implicit = new ListenerConfig(1883, "127.0.0.1");
        assertThat(c.anonymousAllowed(implicit)).isTrue();
    }

    @Test
    void onceAListenerIsConfigured_anonymousDefaultsToFalse() throws Exception {
        BrokerConfig c = read("listener 1883\n");
        assertThat(c.localOnly()).isFalse();
        assertThat(c.allowAnonymous()).isNull();
        assertThat(c.anonymousAllowed(c.listeners().get(0))).isFalse();
    }

    @Test
    void legacyPort_alsoEndsLocalOnlyMode() throws Exception {
        BrokerConfig c = read("port 1884\n");
        assertThat(c.localOnly()).isFalse();
        assertThat(c.anonymousAllowed(c.listeners().get(0))).isFalse();
    }

    @Test
    void allowAnonymousTrue_withAListener_allowsAnonymous() throws Exception {
        BrokerConfig c = read("listener 1883\nallow_anonymous true\n");
        assertThat(c.allowAnonymous()).isTrue();
        assertThat(c.anonymousAllowed(c.listeners().get(0))).isTrue();
    }

    @Test
    void withers_replaceOneThing() {
        BrokerConfig c = BrokerConfig.defaults().withListeners(java.util.List.of(new ListenerConfig(0, "127.0.0.1")))
                .withAllowAnonymous(true);
        assertThat(c.listeners()).containsExactly(new ListenerConfig(0, "127.0.0.1"));
        assertThat(c.allowAnonymous()).isTrue();
        assertThat(c.anonymousAllowed(c.listeners().get(0))).isTrue();
        assertThat(c.limits()).isEqualTo(Limits.DEFAULTS);
        Limits smaller = new Limits(1, 0, 2, 0, false, 0, 100, 60, 1000);
        assertThat(c.withLimits(smaller).limits()).isEqualTo(smaller);
        assertThat(c.withLimits(smaller).listeners()).isEqualTo(c.listeners());
    }
}
