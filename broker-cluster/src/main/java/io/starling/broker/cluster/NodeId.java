package io.starling.broker.cluster;

import java.util.Objects;

/**
 * A cluster member's name: {@code cluster_node_id} (default: the host name). It is the JGroups logical
 * name and the Raft id of the node, so it must be unique in the cluster and stable across restarts.
 */
public record NodeId(String name) implements Comparable<NodeId> {
    public NodeId {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a node id must not be empty");
        }
    }

    @Override
    public int compareTo(NodeId other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
