package io.starling.broker.core.auth.file;

/** A password file that can't be read (missing, unreadable, not UTF-8 text); its lines never fail it. */
public final class PasswordFileException extends Exception {
    public PasswordFileException(String message) {
        super(message);
    }
}
