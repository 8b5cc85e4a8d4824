package io.starling.broker.auth.dynsec;

/**
 * What a client is allowed when none of its roles has an ACL that matches (the plugin's
 * {@code defaultACLAccess}); its defaults are the plugin's. Mutated only on the plugin's own thread.
 */
final class DefaultAccess {
    boolean publishClientSend = false;
    boolean publishClientReceive = true;
    boolean subscribe = false;
    boolean unsubscribe = true;

    /** The names the API and the file use, in their order. */
    static final String[] NAMES = {"publishClientSend", "publishClientReceive", "subscribe", "unsubscribe"};

    boolean get(int index) {
        return switch (index) {
            case 0 -> publishClientSend;
            case 1 -> publishClientReceive;
            case 2 -> subscribe;
            default -> unsubscribe;
        };
    }

    /** Sets the one named {@code name} (case-insensitive); an unknown name is ignored, as by the plugin. */
    void set(String name, boolean allow) {
        if (name.equalsIgnoreCase(NAMES[0])) {
            publishClientSend = allow;
        } else if (name.equalsIgnoreCase(NAMES[1])) {
            publishClientReceive = allow;
        } else if (name.equalsIgnoreCase(NAMES[2])) {
            subscribe = allow;
        } else if (name.equalsIgnoreCase(NAMES[3])) {
            unsubscribe = allow;
        }
    }
}
