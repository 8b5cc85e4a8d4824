package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of mosquitto.conf(5) that Starling does not implement yet: accepted with a warning naming
 * them, so that an existing file still starts, but checked as mosquitto checks them (a value is given;
 * bridge options follow a {@code connection}; plugin options follow a plugin), so that a file
 * mosquitto would refuse is refused here too.
 */
final class UnsupportedOptions implements OptionGroup {
    /** Bridge name → the bridge, in file order. */
    private final Map<String, Bridge> bridges = new LinkedHashMap<>();
    private Bridge bridge;
    private ConfigLine plugin;

    /** A {@code connection} block, to check that it gets an address and topics. */
    private static final class Bridge {
        final ConfigLine connection;
        ConfigLine address;
        boolean topic;

        Bridge(ConfigLine connection) {
            this.connection = connection;
        }
    }

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        String key = line.key();
        if (key.startsWith("auth_opt_") || key.startsWith("plugin_opt_")) {
            pluginOption(line);
            ignored(line, context);
            return true;
        }
        switch (key) {
            case "connection" -> connection(line);
            case "address", "addresses" -> address(line);
            case "topic" -> bridge(line).topic = true;
            case "bridge_alpn", "bridge_attempt_unsubscribe", "bridge_bind_address", "bridge_cafile", "bridge_capath",
                    "bridge_certfile", "bridge_identity", "bridge_insecure", "bridge_keyfile", "bridge_max_packet_size",
                    "bridge_outgoing_retain", "bridge_protocol_version", "bridge_psk", "bridge_require_ocsp",
                    "bridge_tls_version", "cleansession", "local_cleansession", "clientid", "remote_clientid",
                    "idle_timeout", "keepalive_interval", "local_clientid", "local_password", "local_username",
                    "notifications", "notifications_local_only", "notification_topic", "password", "remote_password",
                    "username", "remote_username", "restart_timeout", "round_robin", "start_type", "threshold",
                    "try_private" -> bridge(line);
            case "auth_plugin", "plugin" -> plugin(line, context);
            case "auth_plugin_deny_special_chars" -> pluginOption(line).bool();
            case "allow_duplicate_messages", "use_username_as_clientid" -> line.bool();
            case "bind_interface", "log_facility", "memory_limit", "tls_engine_kpass_sha1",
                    "websockets_headers_size", "websockets_log_level" -> line.text();
            case "retry_interval" -> {
                context.warn(line.warning("The retry_interval option is no longer available and was ignored."));
                return true;
            }
            default -> {
                return false;
            }
        }
        ignored(line, context);
        return true;
    }

    /** Checks that every bridge got what mosquitto requires, once the whole file is read. */
    void finish() throws ConfigException {
        for (Bridge b : bridges.values()) {
            String name = b.connection.word();
            if (b.address == null) {
                throw b.connection.error("Invalid bridge configuration: no remote addresses defined for bridge '"
                        + name + "'.");
            }
            if (!b.topic) {
                throw b.connection.error("Invalid bridge configuration: no topics defined for bridge '" + name + "'.");
            }
        }
    }

    private static void ignored(ConfigLine line, ReadContext context) {
        context.warn(line.warning("'" + line.key() + "' is not supported yet and was ignored."));
    }

    private void connection(ConfigLine line) throws ConfigException {
        String name = line.word();
        if (bridges.containsKey(name)) {
            throw line.error("Duplicate bridge name \"" + name + "\" (first given at "
                    + bridges.get(name).connection.where() + ").");
        }
        bridge = new Bridge(line);
        bridges.put(name, bridge);
    }

    private void address(ConfigLine line) throws ConfigException {
        Bridge b = bridge(line);
        if (b.address != null) {
            throw line.error("Invalid bridge configuration: bridge '" + b.connection.word()
                    + "' already has its addresses (given at " + b.address.where() + ").");
        }
        b.address = line;
    }

    /** The bridge a bridge option belongs to: the last {@code connection}. */
    private Bridge bridge(ConfigLine line) throws ConfigException {
        if (bridge == null) {
            throw line.error("Invalid bridge configuration: " + line.key() + " must follow a connection line.");
        }
        line.text();
        return bridge;
    }

    private void plugin(ConfigLine line, ReadContext context) throws ConfigException {
        context.noteSecurityOption(line);
        context.requireListener(line);
        line.text();
        plugin = line;
    }

    /** An option of the last {@code plugin}/{@code auth_plugin}. */
    private ConfigLine pluginOption(ConfigLine line) throws ConfigException {
        String key = line.key();
        if (plugin == null) {
            throw line.error(key.startsWith("plugin_opt_")
                    ? "A plugin_opt_ option exists in the config file without a plugin."
                    : "An " + (key.startsWith("auth_opt_") ? "auth_opt_" : key)
                    + " option exists in the config file without an auth_plugin.");
        }
        if (key.equals("auth_opt_") || key.equals("plugin_opt_")) {
            throw line.error("Invalid " + key + " config option.");
        }
        line.text();
        return line;
    }
}
