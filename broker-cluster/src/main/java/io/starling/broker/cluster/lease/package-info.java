/**
 * The client lease ({@code cluster_client_lease}): a node keeps its client connections only while it can
 * show, through the Raft log, that it is in touch with a majority, and a node that takes over a client id
 * from an unreachable node waits until that node's lease has run out, so that two connections never hold
 * one client id, even across a partition.
 */
package io.starling.broker.cluster.lease;
