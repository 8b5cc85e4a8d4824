package io.starling.broker.config.parse;

import io.starling.broker.config.ConfigException;

/** The options of one concern (limits, TLS, logging, ...): each key is read by exactly one group. */
interface OptionGroup {
    /**
     * Reads the line if its key belongs to this group.
     *
     * @return false when the key is not one of this group's
     * @throws ConfigException when the line is wrong
     */
    boolean read(ConfigLine line, ReadContext context) throws ConfigException;
}
