package io.starling.broker.core.routing;

/**
 * What a subscription in the tree points at: a session, a shared subscription's group that picks
 * one of its member sessions per message, or another node of a cluster ({@link RemoteNode}).
 */
public interface Subscriber {
}
