package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SecurityOptionsTest extends ConfigTestSupport {

    @Test
    void withoutPerListenerSettings_securityOptionsAreBrokerWide_whereverTheyAppear() throws Exception {
        BrokerConfig c = read("""
                listener 1883
                allow_anonymous false
                password_file /etc/mosquitto/passwd
                listener 1884
                acl_file /etc/mosquitto/acl
                psk_file /etc/mosquitto/psk
                allow_zero_length_clientid false
                auto_id_prefix gen-
                """);
        assertThat(c.perListenerSettings()).isFalse();
        assertThat(c.security()).isEqualTo(new SecurityConfig(false, Path.of("/etc/mosquitto/passwd"),
                Path.of("/etc/mosquitto/acl"), Path.of("/etc/mosquitto/psk"), false, "gen-"));
        assertThat(c.listeners()).allSatisfy(l -> {
            assertThat(l.security()).isNull();
            assertThat(c.securityFor(l)).isSameAs(c.security());
        });
        assertThat(c.allowAnonymous()).isFalse();
        assertThat(c.allowZeroLengthClientId()).isFalse();
        assertThat(c.autoIdPrefix()).isEqualTo("gen-");
    }

    @Test
    void withPerListenerSettings_eachListenerHasItsOwn() throws Exception {
        BrokerConfig c = read("""
                per_listener_settings true
                listener 1883 127.0.0.1
                allow_anonymous true
                listener 8883
                password_file /etc/mosquitto/passwd
                acl_file /etc/mosquitto/acl
                auto_id_prefix tls-
                listener 1884
                """);
        assertThat(c.perListenerSettings()).isTrue();
        assertThat(c.security()).isEqualTo(SecurityConfig.DEFAULTS);
        assertThat(c.listeners()).extracting(ListenerConfig::security).containsExactly(
                new SecurityConfig(true, null, null, null, true, "auto-"),
                new SecurityConfig(null, Path.of("/etc/mosquitto/passwd"), Path.of("/etc/mosquitto/acl"), null, true, "tls-"),
                SecurityConfig.DEFAULTS);
        assertThat(c.listeners()).extracting(c::anonymousAllowed).containsExactly(true, false, false);
    }

    @Test
    void withPerListenerSettings_sameFileOnTwoListeners_isNoDuplicate() throws Exception {
        BrokerConfig c = read("per_listener_settings true\nlistener 1883\npassword_file /p\nlistener 1884\npassword_file /p\n");
        assertThat(c.listeners()).extracting(l -> l.security().passwordFile()).containsExactly(Path.of("/p"), Path.of("/p"));
    }

    @Test
    void withPerListenerSettings_theNamedDefaultListener_takesSecurityOptions() throws Exception {
        BrokerConfig c = read("per_listener_settings true\nport 1884\npassword_file /p\n");
        assertThat(c.listeners()).singleElement()
                .satisfies(l -> assertThat(l.security().passwordFile()).isEqualTo(Path.of("/p")));
    }

    @Test
    void perListenerSettingsFalse_isTheDefault_andMayBeSaid() throws Exception {
        BrokerConfig c = read("per_listener_settings false\nallow_anonymous true\n");
        assertThat(c.perListenerSettings()).isFalse();
        assertThat(c.allowAnonymous()).isTrue();
    }

    @Test
    void perListenerSettings_cannotBeTurnedOffAgain() throws Exception {
        BrokerConfig c = read("per_listener_settings true\nper_listener_settings false\n");
        assertThat(c.perListenerSettings()).isTrue();
        assertThat(c.warnings()).containsExactly(
                warningAt(2, "per_listener_settings cannot be turned off once set to true; it stays true."));
    }

    @Test
    void booleans_acceptOneAndZero_asMosquittoDoes() throws Exception {
        BrokerConfig c = read("allow_anonymous 1\nallow_zero_length_clientid 0\n");
        assertThat(c.allowAnonymous()).isTrue();
        assertThat(c.allowZeroLengthClientId()).isFalse();
    }

    @Test
    void repeatedAllowAnonymous_lastWins_withAWarning() throws Exception {
        BrokerConfig c = read("allow_anonymous true\nallow_anonymous false\n");
        assertThat(c.allowAnonymous()).isFalse();
        assertThat(c.warnings()).containsExactly(
                warningAt(2, "allow_anonymous was already set at " + main() + ":1; this later value is used."));
    }

    @Test
    void trailingTextAfterABoolean_isIgnoredWithAWarning() throws Exception {
        BrokerConfig c = read("allow_anonymous true # for now\n");
        assertThat(c.allowAnonymous()).isTrue();
        assertThat(c.warnings()).containsExactly(warningAt(1, "text after the allow_anonymous value was ignored: '# for now'."));
    }
}
