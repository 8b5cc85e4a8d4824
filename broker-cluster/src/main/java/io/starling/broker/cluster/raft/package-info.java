/**
 * The node's one jgroups-raft state machine ({@link io.starling.broker.cluster.raft.RaftGroup}), made
 * of parts (the client-id registry, the retained messages) that share the RAFT protocol of the cluster
 * channel, its log and its snapshots; commands are batched into few Raft rounds.
 */
package io.starling.broker.cluster.raft;
