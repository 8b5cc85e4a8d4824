package io.starling.broker.core.auth.file;

/** A password file that can't be read or used, with the file and line in the message. */
public final class PasswordFileException extends Exception {
    public PasswordFileException(String message) {
        super(message);
    }

    static PasswordFileException at(String file, int line, String what) {
        return new PasswordFileException("Error: " + file + ":" + line + ": " + what);
    }
}
