package io.starling.broker.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Three {@code bin/starling} processes of one cluster, each in its own network namespace (10.77.0.1-3)
 * joined by a bridge that also holds 10.77.0.254 in the test's namespace, where the test's clients run.
 * {@code src/test/sh/partition-net} sets the namespaces up, cuts (iptables inside a node's namespace,
 * between nodes only: the node's clients keep reaching it), degrades (tc netem) and heals; the namespaces
 * go on {@link #close}, and at exit after a failure. Needs root and network namespaces: {@link #start}
 * skips the test (an assumption with the reason) otherwise. Failure detection is raised (1 s heartbeats,
 * 10 s failure timeout, 3 s suspect timeout) for two loaded cores; the merge interval is lowered to 5 s
 * so that healing is seen soon.
 */
final class NetnsCluster implements AutoCloseable {
    static final int MQTT_PORT = 1883;
    static final long WAIT_SECONDS = 90;
    private static final Path NET = Path.of("src/test/sh/partition-net").toAbsolutePath();

    private final String label;
    private final String prefix;
    private final Process[] nodes = new Process[3];
    private final ClusterSysView[] sys = new ClusterSysView[3];
    private final Path dir;
    private final Thread cleanup;

    private NetnsCluster(String label, String prefix, Path dir, Thread cleanup) {
        this.label = label;
        this.prefix = prefix;
        this.dir = dir;
        this.cleanup = cleanup;
    }

    /**
     * Sets the namespaces up and starts the three nodes, each with {@code extraConfig} (lines of its own)
     * after the cluster lines; returns once every node sees three members and a majority. {@code label}
     * names the test in the reports and the namespaces' prefix (a few letters).
     */
    static NetnsCluster start(String label, String shortName, String extraConfig) throws Exception {
        assumeTrue("0".equals(run("id", "-u").trim()), "network namespaces need root");
        String prefix = shortName + ProcessHandle.current().pid() % 100_000;
        Thread cleanup = new Thread(() -> quietly(prefix, "down"));
        Runtime.getRuntime().addShutdownHook(cleanup);
        String up;
        try {
            up = runStatus(NET.toString(), "up", prefix);
        } catch (IOException e) { // the script, or ip in it, cannot run here
            up = e.toString();
        }
        String failure = up;
        if (failure != null) {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            quietly(prefix, "down");
        }
        assumeTrue(failure == null, () -> "network namespaces are not allowed here: " + failure);
        Path dir = Files.createDirectories(Path.of("target", "netns-it-" + prefix)).toAbsolutePath();
        NetnsCluster cluster = new NetnsCluster(label, prefix, dir, cleanup);
        try {
            cluster.startNodes(extraConfig);
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startNodes(String extraConfig) throws Exception {
        StringBuilder peers = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            peers.append("cluster_peer ").append(host(i - 1)).append(":7800\n");
        }
        for (int i = 0; i < 3; i++) {
            Path conf = Files.writeString(dir.resolve(id(i) + ".conf"), "listener " + MQTT_PORT + " " + host(i) + "\n"
                    + "allow_anonymous true\nlog_dest file " + log(i) + "\nsys_interval 1\n"
                    + "cluster_name partition-it\ncluster_node_id " + id(i) + "\n"
                    + "cluster_bind " + host(i) + ":7800\n" + peers
                    + "cluster_raft_members n1,n2,n3\n"
                    + "cluster_heartbeat_interval 1s\ncluster_failure_timeout 10s\ncluster_suspect_timeout 3s\n"
                    + "cluster_merge_interval 5s\ncluster_raft_timeout 10s\n" + extraConfig);
            ProcessBuilder launcher = new ProcessBuilder("ip", "netns", "exec", prefix + "-" + id(i),
                    "../bin/starling", "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve(id(i) + ".console.txt").toFile());
            launcher.environment().put("STARLING_JAR", System.getProperty("starling.jar"));
            nodes[i] = launcher.start(); // ip netns exec and bin/starling exec: this is the broker's process
        }
        for (int i = 0; i < 3; i++) {
            Path log = log(i);
            await(id(i) + " listening", () -> read(log).contains("Opening ipv4 listen socket on port " + MQTT_PORT + "."));
        }
        for (int i = 0; i < 3; i++) {
            sys[i] = new ClusterSysView("tcp://" + host(i) + ":" + MQTT_PORT, "sys-" + id(i), (int) WAIT_SECONDS);
        }
        awaitWholeCluster();
    }

    /** Node {@code node}'s {@code $SYS/broker/cluster/} topics, as its monitor last saw them. */
    ClusterSysView sys(int node) {
        return sys[node];
    }

    /** Runs {@code partition-net command PREFIX args...}; fails the test when it fails. */
    void net(String command, String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(NET.toString(), command, prefix));
        line.addAll(List.of(args));
        String failure = runStatus(line.toArray(String[]::new));
        assertThat(failure).as(String.join(" ", line)).isNull();
    }

    /** Sends {@code signal} (STOP, CONT, ...) to node {@code node}'s process. */
    void signal(String signal, int node) throws Exception {
        run("kill", "-" + signal, Long.toString(nodes[node].pid()));
    }

    void awaitWholeCluster() throws InterruptedException {
        await("three members with a majority on every node", () -> {
            for (ClusterSysView view : sys) {
                if (!"3".equals(view.get("nodes")) || !"1".equals(view.get("majority"))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Prints {@code <label>: <what> <ms since> ms}, the figures docs/cluster.md quotes. */
    void report(String what, long since) {
        report(what, since, System.nanoTime());
    }

    void report(String what, long since, long at) {
        System.out.printf("%s: %s %d ms%n", label, what, TimeUnit.NANOSECONDS.toMillis(at - since));
    }

    static String host(int node) {
        return "10.77.0." + (node + 1);
    }

    static String id(int node) {
        return "n" + (node + 1);
    }

    Path log(int node) {
        return dir.resolve(id(node) + ".log");
    }

    static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.sleep(50);
        }
    }

    /** Stops the monitors and the nodes, then removes the namespaces. */
    @Override
    public void close() {
        for (ClusterSysView view : sys) {
            if (view != null) {
                view.close();
            }
        }
        for (Process node : nodes) {
            if (node != null) {
                node.destroyForcibly();
            }
        }
        for (Process node : nodes) {
            try {
                if (node != null) {
                    node.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        quietly(prefix, "down");
        Runtime.getRuntime().removeShutdownHook(cleanup);
    }

    private static void quietly(String prefix, String command) {
        try {
            runStatus(NET.toString(), command, prefix);
        } catch (Exception e) {
            // best effort at exit
        }
    }

    /** Runs a command; answers null when it succeeded, else its exit code and output. */
    private static String runStatus(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        if (code == 0 && !output.isBlank()) {
            System.out.println(String.join(" ", command) + ": " + output.trim());
        }
        return code == 0 ? null : "exit " + code + ": " + output.trim();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }
}
