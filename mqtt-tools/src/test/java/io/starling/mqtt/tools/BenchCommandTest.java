package io.starling.mqtt.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.tools.bench.ConnectionPlan;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
    @Test
    void benchWithoutCommand_listsConnPubAndSub() {
        BenchRunResult r = BenchRunResult.run();
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("conn", "pub", "sub");
    }

    @Test
    void pubHelp_describesTheOptions_andSaysLimitIsPerPublisher() {
        BenchRunResult r = BenchRunResult.run("pub", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("-h, --host", "-c, --count", "-I, --interval-of-msg", "-R, --rate",
                "--inflight", "--ifaddr", "--cafile", "--insecure", "-V, --protocol-version", "%i is the client index")
                .contains("Messages per publisher");
    }

    @Test
    void subHelp_saysLimitIsOverAllSubscribers() {
        assertThat(BenchRunResult.run("sub", "--help").out()).contains("-L, --limit", "over all", "subscribers", "--idle-exit");
    }

    @Test
    void badQos_isRefusedBeforeConnecting() {
        BenchRunResult r = BenchRunResult.run("pub", "-t", "a", "-q", "3", "-p", "1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("Error: -q: 0, 1 or 2, not 3");
    }

    @Test
    void unknownProtocolVersion_isRefused() {
        BenchRunResult r = BenchRunResult.run("conn", "-V", "mqttv4");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("-V: mqttv31, mqttv311 or mqttv5");
    }

    @Test
    void pubWithoutTopic_isAUsageError() {
        BenchRunResult r = BenchRunResult.run("pub", "-c", "2");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--topic=<topic>'");
    }

    @Test
    void serverThatIsNotThere_failsWithTheReason() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            BenchRunResult r = BenchRunResult.run("conn", "-p", closed.text(), "--quiet");
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).contains("Error: no client connected", "Connection refused");
        }
    }

    @Test
    void commonOptions_makeThePlan() {
        BenchCommand.Pub pub = new BenchCommand.Pub();
        new CommandLine(pub).parseArgs("-h", "10.0.0.1", "-c", "8", "-i", "5", "-V", "mqttv5", "-k", "600",
                "--persistent", "--prefix", "p-", "-u", "user", "-P", "pw", "--ifaddr", "127.0.0.2-3", "-d", "1.5",
                "--threads", "3", "--quiet", "-t", "bench/%i");
        ConnectionPlan plan = pub.common.plan("pub", 32);

        assertThat(plan.base().host()).isEqualTo("10.0.0.1");
        assertThat(plan.base().port()).isEqualTo(1883);
        assertThat(plan.base().version()).isEqualTo(MqttVersion.MQTT_5);
        assertThat(plan.base().keepAliveSeconds()).isEqualTo(600);
        assertThat(plan.base().cleanStart()).isFalse();
        assertThat(plan.base().username()).isEqualTo("user");
        assertThat(plan.base().maxInflight()).isEqualTo(32);
        assertThat(plan.clients()).isEqualTo(8);
        assertThat(plan.connectInterval()).isEqualTo(Duration.ofMillis(5));
        assertThat(plan.sourceAddresses()).hasSize(2);
        assertThat(plan.clientIdPrefix()).isEqualTo("p-");
        assertThat(plan.duration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(plan.threads()).isEqualTo(3);
        assertThat(plan.progress()).isFalse();
    }

    @Test
    void tlsOption_changesTheDefaultPort() {
        BenchCommand.Conn conn = new BenchCommand.Conn();
        new CommandLine(conn).parseArgs("--tls");
        assertThat(conn.common.plan("conn", 1).base().port()).isEqualTo(8883);
        assertThat(conn.common.plan("conn", 1).base().tls()).isNotNull();
    }
}
