package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.core.BrokerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a mosquitto.conf read again at SIGHUP changes: what mosquitto 2.0.11 reloads at once (security,
 * logging, some limits), the rest named for the next start.
 */
class ConfigChangesTest {
    @TempDir
    Path dir;

    private BrokerConfig conf(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return ConfigFile.read(file);
    }

    @Test
    void securityOptionsOnly_changeNothingForTheNextStart() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\nallow_anonymous false\nacl_file /x\n");

        assertThat(ConfigChanges.atNextStart(running, read)).isEmpty();
    }

    @Test
    void aLimitOrANewListener_isNamedForTheNextStart() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\nlistener 1884 127.0.0.1\n"
                + "allow_anonymous true\nmax_inflight_messages 5\n");

        assertThat(ConfigChanges.atNextStart(running, read)).containsExactly("listeners", "max_inflight_messages");
    }

    @Test
    void aClusterOptionChanged_isNamedForTheNextStart() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\ncluster_node_id n1\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\ncluster_node_id n1\ncluster_failure_timeout 30s\n");

        assertThat(ConfigChanges.atNextStart(running, read)).containsExactly("cluster_* options");
        assertThat(ConfigChanges.atNextStart(running, running)).isEmpty();
    }

    @Test
    void theOptionsMosquittoReloads_changeNothingForTheNextStart() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n"
                + "message_size_limit 10\nupgrade_outgoing_qos true\nqueue_qos0_messages true\n"
                + "persistent_client_expiration 2h\nclientid_prefixes ok\nsys_interval 5\n"
                + "allow_zero_length_clientid false\nauto_id_prefix zz-\n"
                + "log_type error\nlog_timestamp false\nconnection_messages false\n");

        assertThat(ConfigChanges.atNextStart(running, read)).isEmpty();
    }

    @Test
    void theOptionsMosquittoDoesNotReload_areNamedAsInMosquittoConf() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n"
                + "max_queued_messages 5\nmax_keepalive 10\nmax_packet_size 500\nretain_available false\n"
                + "persistence true\nautosave_interval 60\n");

        assertThat(ConfigChanges.atNextStart(running, read)).containsExactlyInAnyOrder("max_queued_messages",
                "max_keepalive", "max_packet_size", "retain_available", "persistence", "autosave_interval");
    }

    @Test
    void aListenersMaxQos_waitsForTheNextStart() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\nmax_qos 1\nallow_anonymous true\n");

        assertThat(ConfigChanges.atNextStart(running, read)).containsExactly("listeners");
    }

    @Test
    void theReloadedSettings_takeTheReloadedOptionsAndKeepTheRest() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 7\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 3\n"
                + "message_size_limit 10\nupgrade_outgoing_qos true\nqueue_qos0_messages true\n"
                + "persistent_client_expiration 2h\nclientid_prefixes ok\nallow_zero_length_clientid false\n"
                + "auto_id_prefix zz-\n");

        BrokerSettings reloaded = ConfigChanges.reloaded(Broker.settingsOf(running), read);

        assertThat(reloaded.messageSizeLimit()).isEqualTo(10);
        assertThat(reloaded.upgradeOutgoingQos()).isTrue();
        assertThat(reloaded.queueQos0Messages()).isTrue();
        assertThat(reloaded.persistentClientExpirationSeconds()).isEqualTo(7200);
        assertThat(reloaded.clientIdPrefixes()).isEqualTo("ok");
        assertThat(reloaded.allowZeroLengthClientId()).isFalse();
        assertThat(reloaded.autoIdPrefix()).isEqualTo("zz-");
        assertThat(reloaded.maxInflightMessages()).isEqualTo(7); // not reloaded, as in mosquitto
    }

    @Test
    void aListener_isMatchedByPortAndAddress() throws Exception {
        BrokerConfig running = conf("a.conf", "per_listener_settings true\nlistener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "per_listener_settings true\nlistener 1884 127.0.0.1\nallow_anonymous true\n"
                + "listener 1883 127.0.0.1\nallow_anonymous false\n");

        assertThat(read.anonymousAllowed(ConfigChanges.sameListener(read, running.listeners().get(0)))).isFalse();
    }
}
