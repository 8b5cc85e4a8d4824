package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;

/**
 * Options of mosquitto.conf(5) that Starling does not implement yet: accepted with a warning naming
 * them, so that an existing file still starts, but checked as mosquitto checks them (a value is given;
 * plugin options follow a plugin), so that a file mosquitto would refuse is refused here too. The
 * {@code plugin} lines are read here too: the dynamic security plugin, which is built in, keeps its
 * options ({@link io.starling.broker.config.PluginConfig}); other plugins are warned about.
 */
final class UnsupportedOptions implements OptionGroup {
    private ConfigLine plugin;
    /** Where the options of the last plugin line go; null when that plugin is not one Starling has. */
    private SecurityDraft.PluginDraft draft;

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        String key = line.key();
        if (key.startsWith("auth_opt_") || key.startsWith("plugin_opt_")) {
            pluginOption(line);
            if (draft != null) {
                draft.options().put(key.substring(key.indexOf("_opt_") + 5), line.text());
            } else {
                ignored(line, context);
            }
            return true;
        }
        switch (key) {
            case "auth_plugin", "plugin" -> {
                plugin(line, context);
                return true;
            }
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

    /**
     * A plugin line: Mosquitto's dynamic security plugin is built in (its options are kept for it); any
     * other plugin is a C library Starling cannot load, ignored with a warning.
     */
    private void plugin(ConfigLine line, ReadContext context) throws ConfigException {
        SecurityDraft security = context.security(line);
        String path = line.text();
        plugin = line;
        draft = null;
        if (new io.starling.broker.config.PluginConfig(path, java.util.Map.of(), line.where()).isDynamicSecurity()) {
            draft = new SecurityDraft.PluginDraft(path, line.where());
            security.plugins.add(draft);
        } else {
            ignored(line, context);
        }
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
