package io.starling.broker.cluster.status;

/**
 * Where the server asks for a {@link ClusterStatus} without knowing the cluster's pieces. Answers
 * without waiting, so the $SYS timer and a metrics scrape may ask on an event loop.
 */
@FunctionalInterface
public interface ClusterStatusSource {
    ClusterStatus status();
}
