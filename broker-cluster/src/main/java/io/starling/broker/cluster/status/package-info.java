/**
 * A node's view of its cluster as one immutable snapshot ({@link io.starling.broker.cluster.status.ClusterStatus}),
 * read from the channel, the route table, the node links, Raft, the registry and the retained store; the
 * server turns it into $SYS topics, metrics and the HTTP API's {@code /api/v1/cluster}.
 */
package io.starling.broker.cluster.status;
