/**
 * Retained messages are cluster-wide: writes in one Raft order, applied into each node's local store,
 * read locally ({@link io.starling.broker.cluster.retained.ReplicatedRetainedStore}).
 */
package io.starling.broker.cluster.retained;
