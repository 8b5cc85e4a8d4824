/**
 * Client ids are unique across the cluster: a linearizable client id to (node, epoch) table on Raft
 * ({@link io.starling.broker.cluster.registry.ClientIdRegistry}), and its plug into core's CONNECT
 * ({@link io.starling.broker.cluster.registry.RegistryClaims}).
 */
package io.starling.broker.cluster.registry;
