package io.starling.broker.config;

/**
 * A configuration error. The message is what the user sees, in mosquitto's words where it has them:
 * {@code Error: <file>:<line>: <what is wrong>}, or {@code Error: <what is wrong>} when no line is to
 * blame (a file that cannot be opened).
 */
public final class ConfigException extends Exception {
    private final String file;
    private final int line;

    /** An error with a ready-made message and no file position. */
    public ConfigException(String message) {
        super(message);
        this.file = null;
        this.line = 0;
    }

    /** An error at {@code file:line}. */
    public ConfigException(String file, int line, String what) {
        super("Error: " + file + ":" + line + ": " + what);
        this.file = file;
        this.line = line;
    }

    /** The file the error is in, or null when the error has no position. */
    public String file() {
        return file;
    }

    /** The 1-based line of the error, or 0 when the error has no position. */
    public int line() {
        return line;
    }
}
