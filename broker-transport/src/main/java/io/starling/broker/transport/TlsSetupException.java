package io.starling.broker.transport;

import java.nio.file.Path;

/**
 * A TLS listener cannot start: a certificate, key or CA file is missing, unreadable or invalid, or a
 * cipher or version choice cannot be honoured. The message names the option and the file, as
 * mosquitto's start-up errors do; the server reports it and does not start.
 */
public final class TlsSetupException extends RuntimeException {
    private final Path file;

    public TlsSetupException(String message, Path file, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    public TlsSetupException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /** The file at fault, or null when the problem is not a file. */
    public Path file() {
        return file;
    }
}
