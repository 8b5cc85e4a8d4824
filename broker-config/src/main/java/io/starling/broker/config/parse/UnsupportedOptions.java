package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;

/**
 * Options of mosquitto.conf(5) that Starling does not implement yet: accepted with a warning naming
 * them, so that an existing file still starts, but checked as mosquitto checks them (a value is given;
 * plugin options follow a plugin), so that a file mosquitto would refuse is refused here too.
 */
final class UnsupportedOptions implements OptionGroup {
    private ConfigLine plugin;

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        String key = line.key();
        if (key.startsWith("auth_opt_") || key.startsWith("plugin_opt_")) {
            pluginOption(line);
            ignored(line, context);
            return true;
        }
        switch (key) {
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

    private static void ignored(ConfigLine line, ReadContext context) {
        context.warn(line.warning("'" + line.key() + "' is not supported yet and was ignored."));
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
