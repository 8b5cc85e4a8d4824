package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the reader knows at the current line: which listener per-listener options go to, where the
 * security options go ({@code per_listener_settings}), and the warnings so far.
 *
 * <p>Mosquitto's scoping, kept here: per-listener options apply to the listener of the last
 * {@code listener} line; before the first one they configure the default listener, as do {@code port}
 * and {@code bind_address} anywhere. Security options are broker-wide unless
 * {@code per_listener_settings true}, which must come before any of them.
 */
final class ReadContext {
    private final List<String> warnings = new ArrayList<>();
    private final List<ListenerDraft> listeners = new ArrayList<>();
    private final ListenerDraft defaultListener = ListenerDraft.defaultListener();
    private final SecurityDraft globalSecurity = new SecurityDraft();
    private ListenerDraft current = defaultListener;
    /** The {@code port} or {@code bind_address} line that named the default listener, or null. */
    private ConfigLine defaultListenerNamedAt;
    private boolean perListenerSettings;
    /** The first security option, which {@code per_listener_settings true} must precede. */
    private ConfigLine firstSecurityLine;

    void warn(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return warnings;
    }

    /** Warns when a one-word option has more words (see {@link ConfigLine#extraWordsWarning}). */
    void warnExtraWords(ConfigLine line, int used) {
        String warning = line.extraWordsWarning(used);
        if (warning != null) {
            warn(warning);
        }
    }

    /** The listener per-listener options go to now. */
    ListenerDraft listener(ConfigLine line) {
        current.touch(line);
        return current;
    }

    /** The default listener, for {@code port} and {@code bind_address}. */
    ListenerDraft defaultListener(ConfigLine line) {
        if (defaultListenerNamedAt == null) {
            defaultListenerNamedAt = line;
        }
        defaultListener.touch(line);
        return defaultListener;
    }

    ListenerDraft defaultListener() {
        return defaultListener;
    }

    boolean defaultListenerNamed() {
        return defaultListenerNamedAt != null;
    }

    /** A {@code listener} line: later per-listener options go to this listener. */
    void open(ListenerDraft listener) {
        listeners.add(listener);
        current = listener;
    }

    /** Whether any {@code listener} line was read yet (including ignored Unix socket ones). */
    boolean anyListenerOpened() {
        return !listeners.isEmpty();
    }

    List<ListenerDraft> openedListeners() {
        return listeners;
    }

    boolean perListenerSettings() {
        return perListenerSettings;
    }

    SecurityDraft globalSecurity() {
        return globalSecurity;
    }

    /**
     * Where a security option goes: the broker-wide options, or with {@code per_listener_settings true}
     * the current listener's, which must exist.
     */
    SecurityDraft security(ConfigLine line) throws ConfigException {
        noteSecurityOption(line);
        if (!perListenerSettings) {
            return globalSecurity;
        }
        requireListener(line);
        return listener(line).security;
    }

    /** Notes a security option, which {@code per_listener_settings true} may not follow. */
    void noteSecurityOption(ConfigLine line) {
        if (firstSecurityLine == null) {
            firstSecurityLine = line;
        }
    }

    /**
     * With {@code per_listener_settings true}, a security option needs a listener to go to: a
     * {@code listener} line, or {@code port}/{@code bind_address} for the default listener.
     */
    void requireListener(ConfigLine line) throws ConfigException {
        if (perListenerSettings && current == defaultListener && defaultListenerNamedAt == null) {
            throw line.error("You must define a listener before using the " + line.key()
                    + " option, because per_listener_settings is true.");
        }
    }

    /** {@code per_listener_settings}: once true it stays true, as in mosquitto. */
    void perListenerSettings(ConfigLine line, boolean value) throws ConfigException {
        if (value && !perListenerSettings && firstSecurityLine != null) {
            throw line.error("per_listener_settings must be set before any other security settings ("
                    + firstSecurityLine.key() + " is set at " + firstSecurityLine.where() + ").");
        }
        if (!value && perListenerSettings) {
            warn(line.warning("per_listener_settings cannot be turned off once set to true; it stays true."));
            return;
        }
        perListenerSettings = value;
    }
}
