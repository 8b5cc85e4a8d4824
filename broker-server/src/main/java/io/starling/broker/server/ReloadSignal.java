package io.starling.broker.server;

import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP reads mosquitto.conf again and reloads the security options and the password and ACL files,
 * as it does for mosquitto ({@link Broker#reload}); connections stay up. Uses the
 * JDK's {@code sun.misc.Signal}, the only way a Java process can catch SIGHUP; where it is missing
 * (not on Linux JDKs) reloading is simply unavailable.
 */
final class ReloadSignal {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    /** @param confFile the broker's mosquitto.conf, or null when it runs on defaults */
    static void install(Broker broker, Path confFile) {
        try {
            Signal.handle(new Signal("HUP"), signal -> {
                if (confFile == null) {
                    LOG.info("Received SIGHUP: reloading password and ACL files.");
                    broker.reloadSecurity();
                } else {
                    LOG.info("Received SIGHUP: reloading {} and its password and ACL files.", confFile);
                    broker.reload(confFile);
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGHUP reload unavailable on this platform: {}", e.getMessage());
        }
    }
}
