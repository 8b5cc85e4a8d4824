/**
 * Several Starling nodes acting as one broker (DESIGN.md, "Cluster"). Membership, failure detection
 * and the route table ride on JGroups; the client-id registry and retained messages on jgroups-raft
 * on the same stack; PUBLISH forwarding on Netty node links. Core does not know this module exists:
 * it plugs into core's extension points, and a broker without cluster lines never loads it.
 */
package io.starling.broker.cluster;
