package io.starling.broker.core.auth.file;

/** The access word of a {@code topic} or {@code pattern} line. */
enum AclAccess {
    READ, WRITE, READWRITE, DENY;

    /** The access a word names, or null if it is not one of {@code read|write|readwrite|deny}. */
    static AclAccess of(String word) {
        switch (word) {
            case "read":
                return READ;
            case "write":
                return WRITE;
            case "readwrite":
                return READWRITE;
            case "deny":
                return DENY;
            default:
                return null;
        }
    }
}
