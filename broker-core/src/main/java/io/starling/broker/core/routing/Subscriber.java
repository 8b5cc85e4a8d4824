package io.starling.broker.core.routing;

/**
 * What a subscription in the tree points at: a session, or a shared subscription's group that picks
 * one of its member sessions per message.
 */
public interface Subscriber {
}
