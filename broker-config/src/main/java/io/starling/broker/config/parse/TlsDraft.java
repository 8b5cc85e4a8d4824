package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.KeyForm;
import io.starling.broker.config.TlsConfig;
import io.starling.broker.config.TlsVersion;
import java.nio.file.Path;
import java.util.List;

/**
 * The TLS options of one listener while the file is being read. {@link #build} checks what only the
 * whole block can tell, whatever the order of the lines.
 */
final class TlsDraft {
    /** Options that make sense only when the listener speaks TLS. */
    private static final List<String> TLS_ONLY = List.of("cafile", "capath", "tls_version", "ciphers", "ciphers_tls1.3",
            "require_certificate", "use_identity_as_username", "use_subject_as_username", "crlfile", "dhparamfile",
            "tls_engine", "tls_keyform");

    final Repeats repeats = new Repeats();
    Path cafile;
    Path capath;
    Path certfile;
    Path keyfile;
    TlsVersion minimumVersion = TlsConfig.NONE.minimumVersion();
    String ciphers;
    String ciphersTls13;
    boolean requireCertificate;
    boolean useIdentityAsUsername;
    boolean useSubjectAsUsername;
    Path crlfile;
    Path dhparamfile;
    String tlsEngine;
    KeyForm keyForm = KeyForm.PEM;
    String pskHint;

    /**
     * @param listener how to name the listener in messages, e.g. {@code listener 8883}
     */
    TlsConfig build(String listener, ReadContext context) throws ConfigException {
        // Mosquitto 2.0.11 silently runs a listener with only one of the two without TLS; we refuse.
        if (certfile != null && keyfile == null) {
            throw repeats.line("certfile").error("certfile is given but keyfile is not: both are needed for TLS on "
                    + listener + ".");
        }
        if (keyfile != null && certfile == null) {
            throw repeats.line("keyfile").error("keyfile is given but certfile is not: both are needed for TLS on "
                    + listener + ".");
        }
        if (pskHint != null && (certfile != null || cafile != null)) {
            ConfigLine later = later(repeats.line("psk_hint"), repeats.line(certfile != null ? "certfile" : "cafile"));
            throw later.error("Cannot use both certificate and psk encryption in a single listener.");
        }
        if (certfile == null && pskHint == null) {
            for (String option : TLS_ONLY) {
                ConfigLine line = repeats.line(option);
                if (line != null) {
                    context.warn(line.warning("'" + option + "' has no effect: " + listener
                            + " has neither certfile and keyfile nor psk_hint, so it does not use TLS."));
                }
            }
            return TlsConfig.NONE;
        }
        return new TlsConfig(cafile, capath, certfile, keyfile, minimumVersion, ciphers, ciphersTls13, requireCertificate,
                useIdentityAsUsername, useSubjectAsUsername, crlfile, dhparamfile, tlsEngine, keyForm, pskHint);
    }

    private static ConfigLine later(ConfigLine a, ConfigLine b) {
        // Both come from one listener block, which may span files only through the default listener.
        return a.file().equals(b.file()) && a.number() < b.number() ? b : a;
    }
}
