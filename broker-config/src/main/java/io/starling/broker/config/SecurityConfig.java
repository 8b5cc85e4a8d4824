package io.starling.broker.config;

import java.nio.file.Path;
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
 */
public record SecurityConfig(Boolean allowAnonymous, Path passwordFile, Path aclFile, Path pskFile,
                             boolean allowZeroLengthClientId, String autoIdPrefix) {
    /** Mosquitto's defaults. */
    public static final SecurityConfig DEFAULTS = new SecurityConfig(null, null, null, null, true, "auto-");

    public SecurityConfig {
        Objects.requireNonNull(autoIdPrefix, "autoIdPrefix");
    }

    /** The same options with {@code allow_anonymous} set. */
    public SecurityConfig withAllowAnonymous(boolean value) {
        return new SecurityConfig(value, passwordFile, aclFile, pskFile, allowZeroLengthClientId, autoIdPrefix);
    }
}
