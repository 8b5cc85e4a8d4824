package io.starling.broker.cluster.status;

/**
 * Where the server asks for a {@link ClusterStatus} without knowing the cluster's pieces. May block
 * briefly (it reads the route table on its thread): call it off the event loops' hot paths.
 */
@FunctionalInterface
public interface ClusterStatusSource {
    ClusterStatus status();
}
