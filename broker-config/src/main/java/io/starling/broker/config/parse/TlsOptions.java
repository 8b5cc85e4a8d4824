package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;
import io.starling.broker.config.KeyForm;
import io.starling.broker.config.TlsVersion;

/**
 * The TLS options of the current listener (mosquitto.conf(5), "Certificate based SSL/TLS Support" and
 * "Pre-shared-key based SSL/TLS Support"). Text options may be given once per listener, as in mosquitto.
 */
final class TlsOptions implements OptionGroup {

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            case "cafile" -> tls(line, context).cafile = once(line, context).path();
            case "capath" -> tls(line, context).capath = once(line, context).path();
            case "certfile" -> tls(line, context).certfile = once(line, context).path();
            case "keyfile" -> tls(line, context).keyfile = once(line, context).path();
            case "crlfile" -> tls(line, context).crlfile = once(line, context).path();
            case "dhparamfile" -> tls(line, context).dhparamfile = once(line, context).path();
            case "tls_version" -> tls(line, context).minimumVersion = tlsVersion(once(line, context));
            case "ciphers" -> tls(line, context).ciphers = once(line, context).text();
            case "ciphers_tls1.3" -> tls(line, context).ciphersTls13 = once(line, context).text();
            case "tls_engine" -> tls(line, context).tlsEngine = once(line, context).text();
            case "tls_keyform" -> tls(line, context).keyForm = keyForm(once(line, context));
            case "psk_hint" -> tls(line, context).pskHint = once(line, context).text();
            case "require_certificate" -> tls(line, context).requireCertificate = scalar(line, context).bool();
            case "use_identity_as_username" -> tls(line, context).useIdentityAsUsername = scalar(line, context).bool();
            case "use_subject_as_username" -> tls(line, context).useSubjectAsUsername = scalar(line, context).bool();
            default -> {
                return false;
            }
        }
        return true;
    }

    private static TlsDraft tls(ConfigLine line, ReadContext context) {
        return context.listener(line).tls;
    }

    /** A text option: refused when the listener already has it. */
    private static ConfigLine once(ConfigLine line, ReadContext context) throws ConfigException {
        tls(line, context).repeats.refuse(line, line.key());
        return line;
    }

    /** A one-word option whose last value wins. */
    private static ConfigLine scalar(ConfigLine line, ReadContext context) {
        tls(line, context).repeats.lastWins(line, line.key(), context);
        context.warnExtraWords(line, 1);
        return line;
    }

    /** Mosquitto checks this when it opens the listener; we check it here. */
    private static TlsVersion tlsVersion(ConfigLine line) throws ConfigException {
        String text = line.text();
        for (TlsVersion version : TlsVersion.values()) {
            if (version.configName().equals(text)) {
                return version;
            }
        }
        throw line.error("Unsupported tls_version \"" + text + "\".");
    }

    /** Mosquitto takes anything that is not {@code engine} as {@code pem}; we accept only those two. */
    private static KeyForm keyForm(ConfigLine line) throws ConfigException {
        String text = line.text();
        for (KeyForm form : KeyForm.values()) {
            if (form.configName().equals(text)) {
                return form;
            }
        }
        throw line.invalid(text);
    }
}
