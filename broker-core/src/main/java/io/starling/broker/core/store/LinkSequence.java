package io.starling.broker.core.store;

/**
 * A cluster node link's high-water mark: the highest sequence number of an origin node's incarnation
 * whose forwarded message this node routed and stored. Kept so that a resend of it after this node
 * restarts is known as a duplicate (a QoS 2 message must not reach a session twice).
 */
public record LinkSequence(long incarnation, long seq) {
}
