package io.starling.broker.cluster.retained;

import io.netty.buffer.ByteBufAllocator;
import io.starling.broker.cluster.raft.RaftGroup;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retained messages are cluster-wide (issue 17, point 4): the {@link RetainedStore} core is given on a
 * clustered node. A set or a delete becomes a Raft command; every node applies the committed commands
 * in the one log order into its local store ({@link RetainedPart}), so concurrent sets of one topic end
 * in the same value everywhere. Reads ({@link #match}, {@link #topics}, sizes) stay local.
 *
 * <p>What a client sees: the write reaches the local store when it is committed (one Raft round), not
 * when {@link #put} returns; a subscriber on any node sees it from then on. Without a Raft majority the
 * write is lost: counted ({@link #lostWrites}) and logged once per second. {@code $SYS} topics are the
 * node's own and stay in its local store.
 *
 * <p>Durability: the Raft log and its snapshots are the cluster's copy. The wiring does not put a
 * node's stored retained messages back through here at start (that would write old values over newer
 * ones); jgroups-raft gives the state machine its snapshot and log instead.
 *
 * <p>Ownership: as {@link RetainedStore}: {@link #put} takes over the caller's reference; the message
 * is encoded (copied) and released at once, and each node's apply creates its own copy.
 */
public final class ReplicatedRetainedStore implements RetainedStore {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedRetainedStore.class);

    private final RaftGroup raft;
    private final RetainedStore local;
    private final RetainedCodec codec;
    private final AtomicLong lostWrites = new AtomicLong();
    private final RateLimitedLog lostLog = new RateLimitedLog();

    /** Registers the retained part with {@code raft}, which is not started yet. */
    public ReplicatedRetainedStore(RaftGroup raft, RetainedStore local, Clock clock, ByteBufAllocator allocator) {
        this.raft = raft;
        this.local = local;
        this.codec = new RetainedCodec(clock, allocator);
        raft.register(new RetainedPart(local, codec));
    }

    /** Whether a retained topic stays on its node: {@code $SYS}, the broker's own values (and bridge states). */
    static boolean isLocal(String topic) {
        return topic.startsWith("$SYS");
    }

    @Override
    public void put(Message message) {
        write(message);
    }

    /**
     * {@link #put}, with its outcome: completes when the write is committed (and applied on this node
     * before or soon after), or exceptionally with
     * {@link io.starling.broker.cluster.raft.RaftUnavailableException} when it is lost.
     */
    public CompletableFuture<Void> write(Message message) {
        String topic = message.topic();
        if (isLocal(topic)) {
            local.put(message);
            return CompletableFuture.completedFuture(null);
        }
        byte[] command;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + message.payloadSize());
            DataOutputStream out = new DataOutputStream(bytes);
            if (message.payloadSize() == 0) {
                out.writeByte(RetainedPart.DELETE);
                out.writeUTF(topic);
            } else {
                out.writeByte(RetainedPart.SET);
                codec.write(message, out);
            }
            command = bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            message.release();
        }
        return raft.submit(RetainedPart.TAG, command).handle((answer, error) -> {
            if (error != null) {
                lostWrites.incrementAndGet();
                lostLog.warn(LOG, "Retained message on {} not stored in the cluster: {}", topic, error.getMessage());
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            return null;
        });
    }

    /** Writes lost for want of a Raft majority (or a commit within the timeout). */
    public long lostWrites() {
        return lostWrites.get();
    }

    @Override
    public void match(String filter, Predicate<Message> visitor) {
        local.match(filter, visitor);
    }

    @Override
    public void topics(TopicVisitor visitor) {
        local.topics(visitor);
    }

    @Override
    public int size() {
        return local.size();
    }

    @Override
    public long bytes() {
        return local.bytes();
    }

    /** Closes the local store; the Raft group and channel are their owner's to close. */
    @Override
    public void close() {
        local.close();
    }
}
