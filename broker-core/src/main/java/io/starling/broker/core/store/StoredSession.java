package io.starling.broker.core.store;

/**
 * The header of a persistent session.
 *
 * @param username              the user name it last connected with, or null (for ACL checks while offline)
 * @param expiryIntervalSeconds its Session Expiry Interval ({@code Session.NEVER_EXPIRES} for never)
 * @param disconnectedAtMillis  wall-clock time its connection ended, or 0 while connected: expiry keeps
 *                              counting across restarts from here
 */
public record StoredSession(String clientId, String username, long expiryIntervalSeconds, long disconnectedAtMillis) {
}
