package io.starling.broker.cluster.link;

/**
 * The byte bounds of one node link, so that a slow or stalled node costs the others a bounded amount
 * of memory ({@code cluster_link_max_queued_bytes}, {@code cluster_link_max_unacked_bytes}).
 *
 * @param maxQueuedBytes  bytes written to the link's connection and not yet taken by its socket (QoS 0
 *                        frames and the frames of QoS 1/2 messages): the connection's write-buffer
 *                        high-water mark. Above it a QoS 0 message for the node is dropped and counted
 *                        (it is never sent again, so nothing else can hold it); QoS 1/2 are bounded by
 *                        the window below instead. Writable again below half of it
 * @param maxUnackedBytes payload bytes of the QoS 1/2 messages kept until the node acknowledges them;
 *                        a message that would pass it is dropped for that node and counted, as a full
 *                        session queue drops it on one node ({@code max_queued_bytes})
 */
public record LinkLimits(int maxQueuedBytes, long maxUnackedBytes) {
    public static final int DEFAULT_MAX_QUEUED_BYTES = 8 << 20;
    public static final long DEFAULT_MAX_UNACKED_BYTES = 64L << 20;
    public static final LinkLimits DEFAULTS = new LinkLimits(DEFAULT_MAX_QUEUED_BYTES, DEFAULT_MAX_UNACKED_BYTES);

    public LinkLimits {
        if (maxQueuedBytes < 2 || maxUnackedBytes < 1) {
            throw new IllegalArgumentException("invalid link limits: " + maxQueuedBytes + ", " + maxUnackedBytes);
        }
    }
}
