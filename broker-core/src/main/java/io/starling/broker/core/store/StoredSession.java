package io.starling.broker.core.store;

/**
 * The header of a persistent session.
 *
 * @param username              the user name it last connected with, or null (for ACL checks while offline)
 * @param expiryIntervalSeconds its Session Expiry Interval ({@code Session.NEVER_EXPIRES} for never)
 * @param disconnectedAtMillis  wall-clock time its connection ended, or 0 while connected: expiry keeps
 *                              counting across restarts from here
 * @param listenerPort          the port of the listener it last connected through, or 0 when unknown: with
 *                              {@code per_listener_settings true} a restored session keeps that listener's
 *                              ACL until it reconnects (mosquitto's persisted {@code listener_port})
 * @param lastPacketId          the last packet id the session gave an outgoing message, 0 for none
 *                              (mosquitto's persisted {@code last_mid}): the counter goes on from there;
 *                              brought up to date when the header is written (connect, disconnect, shutdown)
 */
public record StoredSession(String clientId, String username, long expiryIntervalSeconds, long disconnectedAtMillis,
                            int listenerPort, int lastPacketId) {
    public StoredSession(String clientId, String username, long expiryIntervalSeconds, long disconnectedAtMillis) {
        this(clientId, username, expiryIntervalSeconds, disconnectedAtMillis, 0, 0);
    }

    public StoredSession(String clientId, String username, long expiryIntervalSeconds, long disconnectedAtMillis,
                         int listenerPort) {
        this(clientId, username, expiryIntervalSeconds, disconnectedAtMillis, listenerPort, 0);
    }
}
