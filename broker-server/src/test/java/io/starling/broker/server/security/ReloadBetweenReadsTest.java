package io.starling.broker.server.security;

import static io.starling.broker.server.security.SecurityFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.auth.file.PasswordHash;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload (SIGHUP: {@code broker.reloadSecurity()}) takes effect between reads (issue 15): once it
 * returns, no packet read afterwards is handled under the old rules, whichever connection it comes
 * from: not under the old ACL, and not from a client whose password the new file no longer accepts.
 */
@Timeout(60)
class ReloadBetweenReadsTest {
    private static final Duration NOTHING = Duration.ofMillis(500);

    @TempDir
    Path dir;
    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void clientWhosePasswordTheReloadRemoved_hasNoPacketHandledAfterTheReloadReturns_evenWithASlowHash() throws Exception {
        // argon2id: the re-check runs on the password check threads, ~100 ms per client.
        Path pwfile = write(dir.resolve("pwfile"), argon2("sub", "sub-pass"), argon2("pub", "pub-pass"));
        broker = SecurityFixtures.startStarling(dir, "allow_anonymous false", "password_file " + pwfile);
        try (RawMqttClient sub = connect("sub", "sub-pass");
             RawMqttClient pub = connect("pub", "pub-pass")) {
            sub.subscribe(1, "t/#", QoS.AT_MOST_ONCE);
            pub.send(qos0("t/1", "before"));
            release(sub.receive(Publish.class));

            write(pwfile, argon2("sub", "sub-pass")); // pub's user is gone
            assertThat(broker.reloadSecurity()).isTrue();
            pub.send(qos0("t/1", "after the reload"));

            Optional<Packet> got = sub.poll(NOTHING);
            got.ifPresent(ReloadBetweenReadsTest::release);
            assertThat(got).as("a PUBLISH from a client the reloaded password file refuses").isEmpty();
            assertThat(pub.isClosedWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void continuousPublisher_theFirstPacketAfterTheReloadReturns_seesTheNewAcl() throws Exception {
        Path aclfile = write(dir.resolve("aclfile"), "topic readwrite t/#");
        broker = SecurityFixtures.startStarling(dir, "allow_anonymous true", "acl_file " + aclfile);
        try (RawMqttClient sub = RawMqttClient.open(broker.port());
             RawMqttClient pub = RawMqttClient.open(broker.port())) {
            sub.connect("sub", true, 60);
            sub.subscribe(1, "t/#", QoS.AT_MOST_ONCE);
            pub.connect("pub", true, 60);
            AtomicBoolean reloaded = new AtomicBoolean();
            AtomicBoolean publishing = new AtomicBoolean(true);
            Thread stream = new Thread(() -> {
                int n = 0;
                while (publishing.get()) {
                    // Read the flag before sending: a message marked "after" was sent after reload returned.
                    String when = reloaded.get() ? "after-" : "before-";
                    pub.send(qos0("t/x", when + n++));
                    LockSupport.parkNanos(200_000);
                }
            });
            stream.start();
            try {
                release(sub.receive(Publish.class)); // the stream flows
                write(aclfile, "topic read t/#"); // nobody may publish to t/# any more
                assertThat(broker.reloadSecurity()).isTrue();
                reloaded.set(true);
                Thread.sleep(300); // the stream goes on under the new rules
            } finally {
                publishing.set(false);
                stream.join();
            }
            Optional<Packet> p;
            while ((p = sub.poll(NOTHING)).isPresent()) {
                Publish publish = (Publish) p.get();
                String payload = RawMqttClient.payloadOf(publish);
                release(publish);
                assertThat(payload).as("a message published after the reload returned").startsWith("before-");
            }
        }
    }

    private RawMqttClient connect(String name, String password) {
        RawMqttClient c = RawMqttClient.open(broker.port());
        c.connect(new Connect(MqttVersion.MQTT_3_1_1, name, true, 60, name,
                password.getBytes(StandardCharsets.UTF_8), null, Properties.EMPTY));
        return c;
    }

    private static String argon2(String name, String password) {
        return name + ":" + PasswordHash.argon2id(password.getBytes(StandardCharsets.UTF_8)).encode();
    }

    private static Publish qos0(String topic, String payload) {
        return new Publish(false, QoS.AT_MOST_ONCE, false, topic, 0, Properties.EMPTY,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static void release(Packet p) {
        if (p instanceof Publish publish) {
            publish.release();
        }
    }
}
