package io.starling.broker.server;

import ch.qos.logback.classic.Level;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.config.ConfigFile;
import io.starling.broker.config.ListenerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code starling broker}: runs the broker in the foreground with mosquitto's options. */
@Command(name = "broker", mixinStandardHelpOptions = true, description = "Run the MQTT broker (mosquitto's options).")
final class BrokerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("io.starling.broker");

    @Option(names = {"-c", "--config-file"}, paramLabel = "FILE", description = "mosquitto.conf-style configuration file.")
    Path configFile;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Listen on this port instead (like mosquitto -p). Repeatable.")
    List<Integer> ports;

    @Option(names = {"-v", "--verbose"}, description = "Verbose logging: every packet in and out.")
    boolean verbose;

    @Option(names = {"-d", "--daemon"}, description = "Accepted for mosquitto compatibility; run under a service manager instead.")
    boolean daemon;

    @Option(names = "--test-config",
            description = "Check the file given with -c, print its warnings, and exit without starting the broker.")
    boolean testConfig;

    @Override
    public Integer call() throws Exception {
        if (testConfig) {
            return testConfig();
        }
        if (verbose) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.netty")).setLevel(Level.INFO);
        }
        BrokerConfig config = BrokerConfig.defaults();
        if (configFile != null) {
            try {
                config = ConfigFile.read(configFile);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 3;
            }
            LogSetup.apply(config.logging(), verbose);
            config.warnings().forEach(LOG::warn);
            LOG.info("Config loaded from {}.", configFile);
        } else {
            LOG.info("Using default config.");
        }
        if (ports != null && !ports.isEmpty()) {
            // Without a config file mosquitto 2 stays local-only, -p included; with one, -p listens everywhere.
            String address = configFile == null ? "127.0.0.1" : null;
            config = config.withListeners(ports.stream().map(p -> new ListenerConfig(p, address)).toList());
            if (configFile == null) {
                config = config.withAllowAnonymous(true); // still mosquitto's local-only mode
            }
        }
        if (daemon) {
            LOG.warn("-d is handled by bin/starling (it starts the broker detached); run directly, the broker stays in the foreground. Under systemd see dist/starling.service.");
        }
        if ("root".equals(System.getProperty("user.name"))) {
            // mosquitto switches to the `user` account here; a JVM cannot change its user id.
            LOG.warn("Warning: running as root; Starling cannot switch to user '{}'. Run it under that account "
                    + "(e.g. a systemd User= line) instead.", config.user());
        }
        LOG.info("Starling version {} starting.", Broker.VERSION);
        LOG.info("Running on {}.", JavaRuntime.describe());
        // Written before the listeners open, as mosquitto does: whoever sees the port open finds the pid.
        java.nio.file.Path pidFile = config.pidFile();
        if (pidFile != null) {
            PidFile.write(pidFile);
        }
        Broker broker;
        try {
            broker = Broker.start(config);
        } catch (Exception e) {
            if (e instanceof Broker.StartException) {
                System.err.println(e.getMessage());
            } else {
                LOG.error("Error: unable to start: {}", e.toString());
            }
            if (pidFile != null) {
                PidFile.remove(pidFile);
            }
            return 1;
        }
        ReloadSignal.install(broker, configFile, verbose);
        LogSetup.attachTopicDestination(config.logging(), verbose, broker.core());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            if (pidFile != null) {
                PidFile.remove(pidFile);
            }
            stopped.countDown();
        }, "starling-shutdown"));
        stopped.await();
        return 0;
    }

    /** {@code --test-config}: exit status 0 for a valid file, 3 (mosquitto's status for a bad config) otherwise. */
    private int testConfig() {
        if (configFile == null) {
            System.err.println("Error: --test-config needs a configuration file: -c FILE.");
            return 3;
        }
        BrokerConfig config;
        try {
            config = ConfigFile.read(configFile);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 3;
        }
        config.warnings().forEach(System.err::println);
        System.out.println("Configuration file is valid.");
        return 0;
    }
}
