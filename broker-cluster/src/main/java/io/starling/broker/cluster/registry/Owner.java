package io.starling.broker.cluster.registry;

import io.starling.broker.cluster.NodeId;
import java.util.Objects;

/**
 * Who holds a client id: the node its connection is on, and the epoch of that claim. Epochs come from
 * one counter of the whole registry, so a later claim of any id has a higher epoch than every earlier
 * one, and an epoch is never given twice (not even after a release).
 */
public record Owner(NodeId node, long epoch) {
    public Owner {
        Objects.requireNonNull(node, "node");
        if (epoch <= 0) {
            throw new IllegalArgumentException("epoch must be positive: " + epoch);
        }
    }
}
