package io.starling.broker.config;

/** A configuration error, with the file and line it was found at in the message. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    static ConfigException at(String file, int line, String what) {
        return new ConfigException("Error: " + file + ":" + line + ": " + what);
    }
}
