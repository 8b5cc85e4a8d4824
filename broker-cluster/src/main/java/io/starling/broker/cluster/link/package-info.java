/**
 * Node links: how a PUBLISH reaches the other nodes of a cluster (DESIGN.md, "Cluster"; docs/cluster.md,
 * "Node links").
 *
 * <p>{@link io.starling.broker.cluster.link.NodeLinks} is the whole API: a link server on
 * {@code cluster_link_port} and one outgoing TCP connection per other node, on the broker's event
 * loops. Each other node is one {@link io.starling.broker.core.routing.RemoteNode} in the subscription
 * tree, so the core's router forwards a message to it once, however many of its filters match; the
 * receiving node routes it to its own sessions only. Frames are {@link io.starling.broker.cluster.link.LinkCodec}'s.
 *
 * <p>QoS 1/2 is store-and-forward: numbered per link and incarnation, kept until acknowledged, sent
 * again after a reconnect, de-duplicated by the receiver. What is durable in this slice: the
 * publisher's PUBACK/PUBREC waits for its own node's store only (as on one node); the receiver's
 * acknowledgement waits for the receiver's store (what it stored for its persistent sessions). Kept,
 * unacknowledged messages are in the sender's memory: if the sending node dies, its messages not yet
 * acknowledged by a receiver never reach that receiver's sessions.
 */
package io.starling.broker.cluster.link;
