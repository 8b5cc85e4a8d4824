package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a mosquitto.conf read again at SIGHUP changes: security at once, the rest named for the next start. */
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

        assertThat(ConfigChanges.outsideSecurity(running, read)).isEmpty();
    }

    @Test
    void aLimitOrANewListener_isNamedForTheNextStart() throws Exception {
        BrokerConfig running = conf("a.conf", "listener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "listener 1883 127.0.0.1\nlistener 1884 127.0.0.1\n"
                + "allow_anonymous true\nmax_inflight_messages 5\n");

        assertThat(ConfigChanges.outsideSecurity(running, read)).contains("listeners", "limits");
    }

    @Test
    void aListener_isMatchedByPortAndAddress() throws Exception {
        BrokerConfig running = conf("a.conf", "per_listener_settings true\nlistener 1883 127.0.0.1\nallow_anonymous true\n");
        BrokerConfig read = conf("b.conf", "per_listener_settings true\nlistener 1884 127.0.0.1\nallow_anonymous true\n"
                + "listener 1883 127.0.0.1\nallow_anonymous false\n");

        assertThat(read.anonymousAllowed(ConfigChanges.sameListener(read, running.listeners().get(0)))).isFalse();
    }
}
