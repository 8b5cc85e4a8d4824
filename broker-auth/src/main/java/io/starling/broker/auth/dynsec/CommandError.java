package io.starling.broker.auth.dynsec;

/** A command refused: its text is the plugin's {@code "error"} string, word for word. */
final class CommandError extends Exception {
    CommandError(String message) {
        super(message, null, false, false);
    }
}
