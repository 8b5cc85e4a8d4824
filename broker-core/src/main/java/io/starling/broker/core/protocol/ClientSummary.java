package io.starling.broker.core.protocol;

/**
 * A connected client as an operator sees it (the web console's client list): a copy, taken on the
 * client's loop.
 *
 * @param protocol      "3.1", "3.1.1" or "5.0"
 * @param keepAlive     the keepalive in force, in seconds (the Server Keep Alive for 5.0 clients)
 * @param subscriptions the session's subscriptions
 * @param inflight      outgoing QoS 1/2 messages awaiting acknowledgement
 * @param queued        messages waiting behind the inflight window
 */
public record ClientSummary(String clientId, String username, String remoteAddress, String protocol, int keepAlive,
                            int subscriptions, int inflight, int queued) {
}
