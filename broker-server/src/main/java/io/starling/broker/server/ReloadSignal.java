package io.starling.broker.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP reloads the password and ACL files, as it does for mosquitto; connections stay up. Uses the
 * JDK's {@code sun.misc.Signal}, the only way a Java process can catch SIGHUP; where it is missing
 * (not on Linux JDKs) reloading is simply unavailable.
 */
final class ReloadSignal {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);

    private ReloadSignal() {
    }

    static void install(Broker broker) {
        try {
            Signal.handle(new Signal("HUP"), signal -> {
                LOG.info("Received SIGHUP: reloading password and ACL files.");
                broker.reloadSecurity();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGHUP reload unavailable on this platform: {}", e.getMessage());
        }
    }
}
