package io.starling.broker.server.sys;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP applies a new {@code sys_interval}, as mosquitto 2.0.11 does (it copies it at a reload). */
@Timeout(60)
class SysIntervalReloadTest {
    @TempDir
    Path dir;

    private Path conf(int port, String sysInterval) throws IOException {
        return Files.writeString(dir.resolve("mosquitto.conf"), "listener " + port + " 127.0.0.1\n"
                + "allow_anonymous true\nsys_interval " + sysInterval + "\n");
    }


    private static MqttClient uptimeWatcher(int port, LinkedBlockingQueue<String> updates) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "watcher", new MemoryPersistence());
        client.connect();
        client.subscribe("$SYS/broker/uptime", 0, (topic, message) -> updates.add(new String(message.getPayload())));
        return client;
    }

    @Test
    void aReloadWithSysInterval0_stopsTheUpdates() throws Exception {
        int port = freePort();
        Path conf = conf(port, "1");
        LinkedBlockingQueue<String> updates = new LinkedBlockingQueue<>();
        try (Broker broker = Broker.start(ConfigFile.read(conf))) {
            MqttClient watcher = uptimeWatcher(port, updates);
            try {
                assertThat(updates.poll(5, TimeUnit.SECONDS)).as("an update with sys_interval 1").isNotNull();

                conf(port, "0");
                assertThat(broker.reload(conf)).isTrue();
                Thread.sleep(200);
                updates.clear();

                assertThat(updates.poll(2500, TimeUnit.MILLISECONDS)).as("no update after sys_interval 0").isNull();
            } finally {
                watcher.disconnect();
                watcher.close();
            }
        }
    }

    @Test
    void aReloadWithSysInterval1_startsTheUpdates() throws Exception {
        int port = freePort();
        Path conf = conf(port, "0");
        LinkedBlockingQueue<String> updates = new LinkedBlockingQueue<>();
        try (Broker broker = Broker.start(ConfigFile.read(conf))) {
            MqttClient watcher = uptimeWatcher(port, updates);
            try {
                assertThat(updates.poll(1500, TimeUnit.MILLISECONDS)).as("no update with sys_interval 0").isNull();

                conf(port, "1");
                assertThat(broker.reload(conf)).isTrue();

                assertThat(updates.poll(5, TimeUnit.SECONDS)).as("an update after sys_interval 1").isNotNull();
            } finally {
                watcher.disconnect();
                watcher.close();
            }
        }
    }
}
