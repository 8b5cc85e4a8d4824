package io.starling.broker.cluster.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ClusterSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Members with cluster_tls_* talk TLS, and a member whose certificate another CA signed is not let in. */
class MemberTlsTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    @TempDir
    Path dir;
    private final List<ClusterChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(ClusterChannel::close);
    }

    @Test
    void membersWithCertificatesOfTheClusterCa_joinAndExchangeMessages() throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed");
        ca("ca");
        List<ClusterSettings> nodes = TestNodes.settings("tls", 2);
        List<String> received = new CopyOnWriteArrayList<>();
        for (ClusterSettings s : nodes) {
            ClusterChannel c = new ClusterChannel(withTls(s, "ca", node("ca", s.nodeId())), null);
            c.onMessage(ClusterChannel.ROUTES, (from, data) -> received.add(new String(data, StandardCharsets.UTF_8)));
            channels.add(c);
            c.connect();
        }
        TestNodes.await(Duration.ofSeconds(30), "one view of 2",
                () -> channels.stream().allMatch(c -> c.members().size() == 2));

        channels.get(0).multicast(ClusterChannel.ROUTES, "over tls".getBytes(StandardCharsets.UTF_8));

        TestNodes.await(Duration.ofSeconds(10), "the message", () -> received.contains("over tls"));
    }

    @Test
    void memberWithACertificateOfAnotherCa_isNotLetIn() throws Exception {
        assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed");
        ca("ca");
        ca("rogue-ca");
        List<ClusterSettings> nodes = TestNodes.settings("tls-rogue", 2);
        ClusterChannel good = new ClusterChannel(withTls(nodes.get(0), "ca", node("ca", "n1")), null);
        channels.add(good);
        good.connect();
        // Trusts the cluster's CA, but its own certificate is the rogue CA's: n1 refuses the handshake.
        ClusterChannel rogue = new ClusterChannel(withTls(nodes.get(1), "ca", node("rogue-ca", "n2")), null);
        channels.add(rogue);

        rogue.connect(); // finds nobody it can talk to: founds a cluster of its own

        assertThat(rogue.members()).hasSize(1);
        // What is checked is that nothing happens: a merge round passes without a merge.
        Thread.sleep(nodes.get(1).mergeInterval().toMillis());
        assertThat(good.members()).hasSize(1);
        assertThat(rogue.members()).hasSize(1);
    }

    @Test
    void unusableFiles_areNamedWithTheirOption() throws Exception {
        Files.writeString(dir.resolve("empty.pem"), "");
        Files.writeString(dir.resolve("no.key"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> MemberTls.context(new ClusterSettings.Tls(dir.resolve("missing.pem"),
                dir.resolve("empty.pem"), dir.resolve("no.key"))))
                .isInstanceOf(IOException.class).hasMessageStartingWith("cluster_tls_cafile " + dir.resolve("missing.pem"));
        if (Files.isExecutable(OPENSSL)) {
            ca("ca");
            assertThatThrownBy(() -> MemberTls.context(new ClusterSettings.Tls(dir.resolve("ca.pem"),
                    dir.resolve("ca.pem"), dir.resolve("no.key"))))
                    .isInstanceOf(IOException.class).hasMessageStartingWith("cluster_tls_keyfile " + dir.resolve("no.key"));
        }
    }

    private ClusterSettings withTls(ClusterSettings s, String ca, String node) {
        return new ClusterSettings(s.name(), s.nodeId(), s.bind(), s.peers(), s.raftMembers(), s.linkPort(),
                new ClusterSettings.Tls(dir.resolve(ca + ".pem"), dir.resolve(node + ".pem"), dir.resolve(node + ".key")),
                s.heartbeatInterval(), s.failureTimeout(), s.suspectTimeout(), s.mergeInterval());
    }

    private void ca(String name) throws IOException, InterruptedException {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    /** A node certificate signed by {@code ca}; returns the files' base name. */
    private String node(String ca, String id) throws IOException, InterruptedException {
        String name = ca + "-" + id;
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + id);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2");
        return name;
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
