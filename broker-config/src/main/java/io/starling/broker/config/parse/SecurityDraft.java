package io.starling.broker.config.parse;

import io.starling.broker.config.PluginConfig;
import io.starling.broker.config.SecurityConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The security options of one scope (the broker, or one listener) while the file is being read. */
final class SecurityDraft {
    final Repeats repeats = new Repeats();
    Boolean allowAnonymous = SecurityConfig.DEFAULTS.allowAnonymous();
    Path passwordFile;
    Path aclFile;
    Path pskFile;
    boolean allowZeroLengthClientId = SecurityConfig.DEFAULTS.allowZeroLengthClientId();
    String autoIdPrefix = SecurityConfig.DEFAULTS.autoIdPrefix();
    final List<PluginDraft> plugins = new ArrayList<>();

    /** A plugin line and the options read after it so far. */
    record PluginDraft(String path, Map<String, String> options, String where) {
        PluginDraft(String path, String where) {
            this(path, new LinkedHashMap<>(), where);
        }
    }

    SecurityConfig build() {
        return new SecurityConfig(allowAnonymous, passwordFile, aclFile, pskFile, allowZeroLengthClientId, autoIdPrefix,
                plugins.stream().map(p -> new PluginConfig(p.path(), p.options(), p.where())).toList());
    }
}
