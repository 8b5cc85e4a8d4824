package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;

/**
 * The options {@code per_listener_settings} moves between the broker and its listeners (see
 * {@link ReadContext#security}), and {@code per_listener_settings} itself.
 */
final class SecurityOptions implements OptionGroup {

    @Override
    public boolean read(ConfigLine line, ReadContext context) throws ConfigException {
        switch (line.key()) {
            case "per_listener_settings" -> perListenerSettings(line, context);
            case "allow_anonymous" -> scalar(line, context).allowAnonymous = line.bool();
            case "allow_zero_length_clientid" -> scalar(line, context).allowZeroLengthClientId = line.bool();
            case "password_file" -> once(line, context).passwordFile = line.path();
            case "acl_file" -> once(line, context).aclFile = line.path();
            case "psk_file" -> once(line, context).pskFile = line.path();
            case "auto_id_prefix" -> once(line, context).autoIdPrefix = line.text();
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void perListenerSettings(ConfigLine line, ReadContext context) throws ConfigException {
        boolean value = line.bool();
        context.warnExtraWords(line, 1);
        context.perListenerSettings(line, value);
    }

    /** The target of a one-word option whose last value wins. */
    private static SecurityDraft scalar(ConfigLine line, ReadContext context) throws ConfigException {
        SecurityDraft security = context.security(line);
        security.repeats.lastWins(line, line.key(), context);
        context.warnExtraWords(line, 1);
        return security;
    }

    /** The target of a text option, refused when this scope already has it. */
    private static SecurityDraft once(ConfigLine line, ReadContext context) throws ConfigException {
        SecurityDraft security = context.security(line);
        security.repeats.refuse(line, line.key());
        return security;
    }
}
