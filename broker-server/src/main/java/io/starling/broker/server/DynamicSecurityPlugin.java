package io.starling.broker.server;

import io.starling.broker.auth.dynsec.DynamicSecurity;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ListenerConfig;
import io.starling.broker.config.PluginConfig;
import io.starling.broker.config.SecurityConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the built-in dynamic security plugin when the config names it ({@code plugin
 * .../mosquitto_dynamic_security.so} or {@code plugin dynamic-security}, with {@code
 * plugin_opt_config_file}), broker-wide or on one listener. As in mosquitto, it is loaded once: a second
 * plugin line for it is an error; without {@code plugin_opt_config_file} it is not activated (a warning);
 * a file it cannot read leaves it empty (an error in the log, see {@link DynamicSecurity#open}). A reload keeps the running plugin (mosquitto 2.0 does not reload
 * plugins at SIGHUP); its file is re-read only at the next start.
 */
final class DynamicSecurityPlugin {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DynamicSecurityPlugin.class);

    /** The plugin cannot start; the message says why. */
    static final class PluginException extends Exception {
        PluginException(String message) {
            super(message);
        }
    }

    private DynamicSecurityPlugin() {
    }

    /** The running plugin, or null when the config does not name it. */
    static DynamicSecurity open(BrokerConfig config) throws PluginException {
        List<PluginConfig> found = new ArrayList<>();
        add(found, config.security());
        if (config.perListenerSettings()) {
            for (ListenerConfig l : config.listeners()) {
                add(found, config.securityFor(l));
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        if (found.size() > 1) {
            throw new PluginException("Error: " + found.get(1).where()
                    + ": Dynamic security plugin can only be loaded once.");
        }
        PluginConfig plugin = found.get(0);
        String file = plugin.option("config_file");
        if (file == null || file.isEmpty()) {
            LOG.warn("Warning: {}: Dynamic security plugin has no plugin_opt_config_file defined. "
                    + "The plugin will not be activated.", plugin.where());
            return null;
        }
        try {
            return DynamicSecurity.open(Path.of(file));
        } catch (java.nio.file.InvalidPathException e) {
            throw new PluginException("Error: " + plugin.where() + ": invalid plugin_opt_config_file " + file + ".");
        }
    }

    private static void add(List<PluginConfig> found, SecurityConfig security) {
        PluginConfig p = security.dynamicSecurity();
        if (p != null && !found.contains(p)) {
            found.add(p);
        }
    }
}
