/**
 * Session takeover across nodes (issue 17 point 3): a CONNECT on one node for a client id held on
 * another moves that node's session here over the cluster channel, fenced by the registry's epoch.
 * {@link io.starling.broker.cluster.takeover.SessionTakeover} is the API for the wiring.
 */
package io.starling.broker.cluster.takeover;
