package io.starling.broker.server;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP reads mosquitto.conf again and applies what mosquitto 2.0.11 applies at a reload: the security
 * options with the password and ACL files, some limits, the logging options, the server certificates
 * ({@link Broker#reload}; docs/configuration.md, "What SIGHUP reloads"); connections stay up. Uses the
 * JDK's {@code sun.misc.Signal}, the only way a Java process can catch SIGHUP; where it is missing
 * (not on Linux JDKs) reloading is simply unavailable.
 */
final class ReloadSignal {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    /**
     * @param confFile the broker's mosquitto.conf, or null when it runs on defaults
     * @param verbose  {@code -v}: every log type, whatever the file says
     */
    static void install(Broker broker, Path confFile, boolean verbose) {
        try {
            SignalHandler before = Signal.handle(new Signal("HUP"), signal -> {
                if (confFile == null) {
                    LOG.info("Received SIGHUP: reloading password and ACL files.");
                    broker.reloadSecurity();
                } else {
                    LOG.info("Reloading config.", confFile);
                    if (broker.reload(confFile)) {
                        // As mosquitto (log__close, log__init after the reload): the logging options in
                        // force, and a log file opened again (which is what logrotate's SIGHUP is for).
                        LogSetup.apply(broker.inForce().logging(), verbose);
                        LogSetup.attachTopicDestination(broker.inForce().logging(), verbose, broker.core());
                    }
                }
            });
            if (before == SignalHandler.SIG_IGN) {
                // Inherited as ignored (nohup does that): the JVM then leaves it ignored, and says nothing.
                LOG.warn("SIGHUP is ignored in this process (started with nohup?): kill -HUP will not reload the "
                        + "configuration. Start the broker without nohup (setsid, a systemd service, or & and disown).");
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGHUP reload unavailable on this platform: {}", e.getMessage());
        }
    }
}
