package io.starling.broker.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The options that {@code per_listener_settings} moves between the broker and its listeners: who may
 * connect and what they may do. With {@code per_listener_settings false} (the default) one instance,
 * {@link BrokerConfig#security()}, applies to every listener; with {@code true} each listener carries
 * its own ({@link ListenerConfig#security()}).
 *
 * @param allowAnonymous          {@code allow_anonymous}, or null when not set: then mosquitto 2 allows
 *                                anonymous clients only in local-only mode (no listener configured);
 *                                see {@link BrokerConfig#anonymousAllowed(ListenerConfig)}
 * @param passwordFile            {@code password_file}, or null
 * @param aclFile                 {@code acl_file}, or null
 * @param pskFile                 {@code psk_file}, or null
 * @param allowZeroLengthClientId {@code allow_zero_length_clientid}, default true
 * @param autoIdPrefix            {@code auto_id_prefix}, default {@code auto-}
 * @param plugins                 the {@code plugin} lines with their options, in file order
 */
public record SecurityConfig(Boolean allowAnonymous, Path passwordFile, Path aclFile, Path pskFile,
                             boolean allowZeroLengthClientId, String autoIdPrefix, List<PluginConfig> plugins) {
    /** Mosquitto's defaults. */
    public static final SecurityConfig DEFAULTS = new SecurityConfig(null, null, null, null, true, "auto-");

    public SecurityConfig {
        Objects.requireNonNull(autoIdPrefix, "autoIdPrefix");
        plugins = List.copyOf(plugins);
    }

    /** Without plugins. */
    public SecurityConfig(Boolean allowAnonymous, Path passwordFile, Path aclFile, Path pskFile,
                          boolean allowZeroLengthClientId, String autoIdPrefix) {
        this(allowAnonymous, passwordFile, aclFile, pskFile, allowZeroLengthClientId, autoIdPrefix, List.of());
    }

    /** The same options with {@code allow_anonymous} set. */
    public SecurityConfig withAllowAnonymous(boolean value) {
        return new SecurityConfig(value, passwordFile, aclFile, pskFile, allowZeroLengthClientId, autoIdPrefix, plugins);
    }

    /** The dynamic security plugin's line, or null when it is not configured. */
    public PluginConfig dynamicSecurity() {
        return plugins.stream().filter(PluginConfig::isDynamicSecurity).findFirst().orElse(null);
    }
}
