package io.starling.broker.config;

import java.util.Map;
import java.util.Objects;

/**
 * A {@code plugin} (or the older {@code auth_plugin}) line and the {@code plugin_opt_*} /
 * {@code auth_opt_*} lines after it.
 *
 * @param path    the plugin as the line names it (a file path, or a built-in name)
 * @param options the options without their prefix, in file order
 * @param where   {@code file:line} of the plugin line, for messages
 */
public record PluginConfig(String path, Map<String, String> options, String where) {
    /** The built-in name of dynamic security, besides any path ending in {@link #DYNAMIC_SECURITY_LIBRARY}. */
    public static final String DYNAMIC_SECURITY = "dynamic-security";
    public static final String DYNAMIC_SECURITY_LIBRARY = "mosquitto_dynamic_security.so";

    public PluginConfig {
        Objects.requireNonNull(path, "path");
        options = Map.copyOf(options);
        Objects.requireNonNull(where, "where");
    }

    /** Whether this is Mosquitto's dynamic security plugin, which Starling has built in. */
    public boolean isDynamicSecurity() {
        return path.equals(DYNAMIC_SECURITY) || path.endsWith("/" + DYNAMIC_SECURITY_LIBRARY)
                || path.equals(DYNAMIC_SECURITY_LIBRARY);
    }

    /** An option's value, or null. */
    public String option(String name) {
        return options.get(name);
    }
}
