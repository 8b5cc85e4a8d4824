package io.starling.broker.config.parse;

import io.starling.broker.config.SecurityConfig;
import java.nio.file.Path;

/** The security options of one scope (the broker, or one listener) while the file is being read. */
final class SecurityDraft {
    final Repeats repeats = new Repeats();
    Boolean allowAnonymous = SecurityConfig.DEFAULTS.allowAnonymous();
    Path passwordFile;
    Path aclFile;
    Path pskFile;
    boolean allowZeroLengthClientId = SecurityConfig.DEFAULTS.allowZeroLengthClientId();
    String autoIdPrefix = SecurityConfig.DEFAULTS.autoIdPrefix();

    SecurityConfig build() {
        return new SecurityConfig(allowAnonymous, passwordFile, aclFile, pskFile, allowZeroLengthClientId, autoIdPrefix);
    }
}
