package io.starling.broker.core.auth.file;

/** An ACL file that can't be read or used, with the file and line in the message. */
public final class AclFileException extends Exception {
    public AclFileException(String message) {
        super(message);
    }

    static AclFileException at(String file, int line, String what) {
        return new AclFileException("Error: " + file + ":" + line + ": " + what);
    }
}
