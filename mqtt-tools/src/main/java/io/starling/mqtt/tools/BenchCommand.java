package io.starling.mqtt.tools;

import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.tools.bench.ConnBench;
import io.starling.mqtt.tools.bench.ConnectionPlan;
import io.starling.mqtt.tools.bench.PubBench;
import io.starling.mqtt.tools.bench.PublishPlan;
import io.starling.mqtt.tools.bench.SubBench;
import io.starling.mqtt.tools.bench.SubscribePlan;
import io.starling.mqtt.tools.bench.TopicTemplate;
import io.starling.mqtt.tools.client.ClientOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code starling bench conn|pub|sub}: a load generator in the spirit of emqtt-bench, on the same client
 * as {@code starling pub} and {@code sub} (the engine is {@code io.starling.mqtt.tools.bench}). This
 * class is only the command line: options in emqtt-bench's letters where it has them ({@code -h} is the
 * host, so help is {@code --help}), turned into plans. The exit status is 0 for a run without errors,
 * 1 when it could not run (or sub missed its {@code -L}), 2 when errors were counted (and, from
 * picocli, for an unknown option).
 */
@Command(name = "bench", description = "Load generator: bench conn | pub | sub (see bench <command> --help).",
        subcommands = {BenchCommand.Conn.class, BenchCommand.Pub.class, BenchCommand.Sub.class})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    boolean help;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    public BenchCommand() {
        this(System.out, System.err);
    }

    public BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code starling bench args} in this JVM and returns the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new BenchCommand(out, err)).setExpandAtFiles(false);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return cl.execute(args.toArray(String[]::new));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return 1;
    }

    /** The options every bench command has. */
    static final class Common {
        @Option(names = "--help", usageHelp = true, description = "Show this help.")
        boolean help;
        @Option(names = {"-h", "--host"}, defaultValue = "localhost", description = "Server host (default ${DEFAULT-VALUE}).")
        String host;
        @Option(names = {"-p", "--port"}, defaultValue = "-1", description = "Server port (default 1883, 8883 with TLS).")
        int port;
        @Option(names = {"-c", "--count"}, defaultValue = "1", description = "Number of clients (default ${DEFAULT-VALUE}).")
        int clients;
        @Option(names = {"-i", "--interval"}, defaultValue = "0",
                description = "Milliseconds between two connects (default 0: as fast as accepted, 256 at a time).")
        long connectIntervalMillis;
        @Option(names = {"-V", "--protocol-version"}, defaultValue = "mqttv311",
                description = "mqttv31, mqttv311 or mqttv5 (also 31, 311, 5; default ${DEFAULT-VALUE}).")
        String version;
        @Option(names = {"-k", "--keepalive"}, defaultValue = "60", description = "Keep alive seconds (default ${DEFAULT-VALUE}).")
        int keepalive;
        @Option(names = "--persistent",
                description = "Clean session off (3.1.1) / clean start off and session expiry never (5.0); use --prefix to reconnect to the sessions.")
        boolean persistent;
        @Option(names = "--prefix", description = "Client identifier prefix; the client's index (from 1) follows (default bench-<command><pid>-).")
        String prefix;
        @Option(names = {"-u", "--username"}, description = "User name.")
        String username;
        @Option(names = {"-P", "--password"}, description = "Password.")
        String password;
        @Option(names = "--ifaddr", description = "Local addresses to connect from, round-robin: 127.0.0.2,127.0.0.3 or 127.0.0.2-127.0.0.9.")
        String ifaddr;
        @Option(names = {"-d", "--duration"}, defaultValue = "0",
                description = "Seconds to run once connected (default 0: until the limit, or Ctrl-C).")
        double durationSeconds;
        @Option(names = "--threads", description = "Event loops (default: one per core).")
        Integer threads;
        @Option(names = "--quiet", description = "No progress line.")
        boolean quiet;
        @Option(names = "--connect-timeout", defaultValue = "30", description = "Seconds to wait for a CONNACK (default ${DEFAULT-VALUE}).")
        int connectTimeoutSeconds;
        @Option(names = "--tls", description = "TLS, trusting the JDK's CAs unless --cafile or --capath.")
        boolean tls;
        @Option(names = "--cafile", description = "TLS: trusted CA certificates (PEM).")
        String cafile;
        @Option(names = "--capath", description = "TLS: directory of trusted CA certificates.")
        String capath;
        @Option(names = "--cert", description = "TLS: client certificate (PEM).")
        String cert;
        @Option(names = "--key", description = "TLS: client key (PEM).")
        String key;
        @Option(names = "--tls-version", description = "TLS: tlsv1.3, tlsv1.2 or tlsv1.1.")
        String tlsVersion;
        @Option(names = "--insecure", description = "TLS: do not check the server certificate's host name.")
        boolean insecure;

        ConnectionPlan plan(String command, int maxInflight) {
            MqttVersion v = version(version);
            boolean usesTls = tls || cafile != null || capath != null || cert != null;
            if (cert != null && key == null || key != null && cert == null) {
                throw new IllegalArgumentException("--cert and --key go together");
            }
            ClientOptions.Builder b = ClientOptions.builder()
                    .host(host)
                    .port(port > 0 ? port : usesTls ? 8883 : 1883)
                    .clientId("")
                    .version(v)
                    .cleanStart(!persistent)
                    .keepAliveSeconds(keepalive)
                    .username(username)
                    .password(password == null ? null : password.getBytes(StandardCharsets.UTF_8))
                    .connectTimeout(Duration.ofSeconds(connectTimeoutSeconds))
                    .maxInflight(maxInflight)
                    // A load generator must not add latency of its own: no Nagle delay on small writes.
                    .tcpNoDelay(true)
                    .verifyHostname(!insecure);
            if (persistent && v.isV5()) {
                b.connectProperties(io.starling.mqtt.codec.Properties.builder()
                        .number(io.starling.mqtt.codec.PropertyId.SESSION_EXPIRY_INTERVAL, 0xFFFFFFFFL).build());
            }
            if (usesTls) {
                try {
                    b.tls(ClientTls.context(cafile, capath, cert, key, tlsVersion, null));
                } catch (ClientTls.Unusable e) {
                    throw new IllegalArgumentException(e.getMessage().trim());
                }
            }
            if (durationSeconds < 0) {
                throw new IllegalArgumentException("--duration: not negative");
            }
            return new ConnectionPlan(b.build(), clients, Duration.ofMillis(connectIntervalMillis),
                    io.starling.mqtt.tools.bench.SourceAddressList.parse(ifaddr),
                    prefix != null ? prefix : "bench-" + command + ProcessHandle.current().pid() + "-",
                    Duration.ofNanos((long) (durationSeconds * 1e9)),
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(), !quiet);
        }
    }

    static MqttVersion version(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "mqttv31": case "31": case "3": return MqttVersion.MQTT_3_1;
            case "mqttv311": case "311": case "4": return MqttVersion.MQTT_3_1_1;
            case "mqttv5": case "5": return MqttVersion.MQTT_5;
            default: throw new IllegalArgumentException("-V: mqttv31, mqttv311 or mqttv5, not " + name);
        }
    }

    static QoS qos(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("-q: 0, 1 or 2, not " + value);
        }
        return QoS.of(value);
    }

    /** A bench command: an option value refused when making the plan ends the run with status 1. */
    abstract static class Run implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;
        @Spec
        CommandSpec spec;

        abstract int start();

        @Override
        public Integer call() {
            try {
                return start();
            } catch (IllegalArgumentException e) {
                parent.err.println("Error: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "conn", sortOptions = false,
            description = "Open -c connections and hold them idle (keep alive only) until --duration or Ctrl-C.")
    static final class Conn extends Run {
        @Mixin
        Common common;

        @Override
        int start() {
            return new ConnBench(common.plan("conn", 1), parent.out, parent.err).run();
        }
    }

    @Command(name = "pub", sortOptions = false,
            description = "Publish from -c clients; each payload starts with a send-time stamp, publisher index and sequence number (24 bytes).")
    static final class Pub extends Run {
        @Mixin
        Common common;
        @Option(names = {"-t", "--topic"}, required = true, description = "Topic; %%i is the client index, %%c its client id.")
        String topic;
        @Option(names = {"-q", "--qos"}, defaultValue = "0", description = "QoS (default ${DEFAULT-VALUE}).")
        int qos;
        @Option(names = {"-s", "--size"}, defaultValue = "64", description = "Payload bytes (default ${DEFAULT-VALUE}; under 24: no latency or sequence).")
        int size;
        @Option(names = {"-I", "--interval-of-msg"}, defaultValue = "0",
                description = "Milliseconds between two messages of one publisher (default 0: as fast as the server takes them).")
        long interval;
        @Option(names = {"-R", "--rate"}, defaultValue = "0", description = "Messages per second over all publishers (overrides -I; default 0: no limit).")
        long rate;
        @Option(names = {"-L", "--limit"}, defaultValue = "0", description = "Messages per publisher, then stop (default 0: no limit).")
        long limit;
        @Option(names = "--inflight", defaultValue = "32", description = "QoS 1/2 messages unacknowledged per publisher (default ${DEFAULT-VALUE}; mosquitto closes"
                        + " a connection with more QoS 2 than its max_inflight_messages, 20 by default).")
        int inflight;
        @Option(names = {"-r", "--retain"}, description = "Set the retain flag.")
        boolean retain;
        @Option(names = "--hold", paramLabel = "FILE",
                description = "Send nothing while FILE exists; once it is gone, go on at the rate from that moment, without catching up (a harness pauses warm clients).")
        java.nio.file.Path hold;

        @Override
        int start() {
            PublishPlan plan = new PublishPlan(new TopicTemplate(topic), qos(qos), size, interval, rate, limit, inflight, retain, hold);
            return new PubBench(common.plan("pub", inflight), plan, parent.out, parent.err).run();
        }
    }

    @Command(name = "sub", sortOptions = false,
            description = "Subscribe -c clients to the -t filters (wildcards welcome) and count, check and time what arrives.")
    static final class Sub extends Run {
        @Mixin
        Common common;
        @Option(names = {"-t", "--topic"}, required = true, description = "Topic filter, may repeat; %%i is the client index, %%c its client id.")
        List<String> topics = new ArrayList<>();
        @Option(names = {"-q", "--qos"}, defaultValue = "0", description = "QoS (default ${DEFAULT-VALUE}).")
        int qos;
        @Option(names = {"-L", "--limit"}, defaultValue = "0",
                description = "Stop once this many messages arrived, over all subscribers (default 0: no limit; status 1 if not reached).")
        long expected;
        @Option(names = "--idle-exit", defaultValue = "0", description = "Stop once no message came for this many seconds, after the first (default 0: never).")
        double idleExitSeconds;
        @Option(names = "--warmup", defaultValue = "0",
                description = "Record latency only for messages received this many seconds after the first (JIT warm-up; default 0).")
        double warmupSeconds;
        @Option(names = "--window", paramLabel = "FILE",
                description = "Record latency only for messages stamped at or after the Unix time in milliseconds that FILE will hold, once it exists (a harness marks a moment while the clients run on, warm).")
        java.nio.file.Path window;

        @Override
        int start() {
            List<TopicTemplate> filters = topics.stream().map(TopicTemplate::new).toList();
            SubscribePlan plan = new SubscribePlan(filters, qos(qos), expected, Duration.ofNanos((long) (idleExitSeconds * 1e9)),
                    Duration.ofNanos((long) (warmupSeconds * 1e9)), window);
            return new SubBench(common.plan("sub", 1), plan, parent.out, parent.err).run();
        }
    }
}
