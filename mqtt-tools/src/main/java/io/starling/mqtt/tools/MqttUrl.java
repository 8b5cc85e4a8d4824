package io.starling.mqtt.tools;

/**
 * The {@code -L} URL of mosquitto_pub/sub 2.0: {@code mqtt(s)://[username[:password]@]host[:port]/topic}.
 * Read as mosquitto reads it: the scheme without regard to case; the topic is everything after the first
 * {@code /} of the authority; user information ends at the first {@code @} and the password at the first
 * {@code :} in it; the port is C's {@code atoi} of what follows the first {@code :} of the host (so a
 * bad port is 0). No percent-decoding.
 *
 * @param username null when the URL has no user information
 * @param password null when the user information has no {@code :}
 * @param tls      {@code mqtts}: TLS, port 8883 by default, the system's CA certificates
 */
record MqttUrl(String host, int port, String username, String password, String topic, boolean tls) {

    /** A URL mosquitto refuses, with its message (trailing newlines included). */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static MqttUrl parse(String url) throws Invalid {
        String rest;
        boolean tls;
        if (url.regionMatches(true, 0, "mqtt://", 0, 7)) {
            rest = url.substring(7);
            tls = false;
        } else if (url.regionMatches(true, 0, "mqtts://", 0, 8)) {
            rest = url.substring(8);
            tls = true;
        } else {
            throw new Invalid("Error: unsupported URL scheme.\n\n");
        }
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new Invalid("Error: Invalid URL for -L argument specified - topic missing.\n");
        }
        String topic = rest.substring(slash + 1);
        String authority = rest.substring(0, slash);
        String username = null;
        String password = null;
        int at = authority.indexOf('@');
        if (at >= 0) {
            String user = authority.substring(0, at);
            int colon = user.indexOf(':');
            if (colon >= 0) {
                password = user.substring(colon + 1);
                user = user.substring(0, colon);
            }
            username = user;
            authority = authority.substring(at + 1);
        }
        int port = tls ? 8883 : 1883;
        int colon = authority.indexOf(':');
        if (colon >= 0) {
            port = CNumbers.atoi(authority.substring(colon + 1));
            authority = authority.substring(0, colon);
        }
        return new MqttUrl(authority, port, username, password, topic, tls);
    }
}
