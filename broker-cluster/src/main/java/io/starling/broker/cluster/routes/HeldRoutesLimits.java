package io.starling.broker.cluster.routes;

/**
 * How many route rows (filters) announced by nodes not yet in this node's view are held until the next
 * view ({@code cluster_max_held_routes_per_node}, {@code cluster_max_held_routes}); see {@link HeldRoutes}.
 */
public record HeldRoutesLimits(int maxPerNode, int maxTotal) {
    public static final int DEFAULT_MAX_PER_NODE = 100_000;
    public static final int DEFAULT_MAX_TOTAL = 1_000_000;
    public static final HeldRoutesLimits DEFAULTS = new HeldRoutesLimits(DEFAULT_MAX_PER_NODE, DEFAULT_MAX_TOTAL);

    public HeldRoutesLimits {
        if (maxPerNode < 1 || maxTotal < 1) {
            throw new IllegalArgumentException("invalid held route limits: " + maxPerNode + ", " + maxTotal);
        }
    }
}
