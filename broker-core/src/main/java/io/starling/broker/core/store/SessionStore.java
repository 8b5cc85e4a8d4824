package io.starling.broker.core.store;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What must outlive the broker process: persistent sessions (subscriptions, queued and inflight
 * QoS 1/2 messages, incoming QoS 2 messages awaiting PUBREL, delayed wills) and retained messages.
 *
 * <p>The core keeps the live state in memory and tells the store every change; the store only has
 * to give it back at start-up ({@link #load}). Only sessions that outlive their connection are
 * written.
 *
 * <p>Threading: every method may be called from any event loop, concurrently; implementations are
 * thread-safe, and a change made before another on any thread (in happens-before order) is applied
 * before it. Changes become durable in groups: {@link #afterDurable} runs its task once the changes
 * made before the call are on disk (or known not to be), which is when the broker sends a packet that
 * reports them (see the core's {@code StateReports}).
 *
 * <p>Failures stop here: a write that fails (a full disk) does not throw into the caller; the store
 * marks itself failed ({@link #health}), answers {@link #afterDurable} with {@code durable false}, and
 * recovers by itself when it can.
 *
 * <p>Ownership: the store never keeps a reference to a message or its payload; it copies what it
 * writes. A message written for several sessions is stored once, under {@link Message#storeId()},
 * and deleted with its last reference.
 */
public interface SessionStore extends AutoCloseable {

    /** Whether changes reach a disk: acknowledgements then wait for {@link #afterDurable}. */
    boolean isDurable();

    /** Creates or updates a session's header (expiry, user, when it went offline). */
    void saveSession(StoredSession session);

    /** Deletes a session and everything stored for it (its messages lose one reference each). */
    void deleteSession(String clientId);

    void saveSubscription(String clientId, String filter, SubscriberOptions options);

    void deleteSubscription(String clientId, String filter);

    /** Appends a delivery to a session's queue under {@code seq} (increasing per session), with the packet id it took. */
    void saveOutgoing(String clientId, long seq, Delivery delivery);

    /** The queued delivery {@code seq} went out with {@code packetId}: it is inflight now. */
    void saveOutgoingSent(String clientId, long seq, Delivery delivery, int packetId);

    /** QoS 2: PUBREC came for {@code seq}; only its packet id remains, awaiting PUBCOMP. */
    void saveOutgoingReleased(String clientId, long seq, int packetId, Message message);

    /** The flow of {@code seq} ended (acknowledged, dropped or expired); {@code message} loses a reference. */
    void deleteOutgoing(String clientId, long seq, Message message);

    /**
     * Keeps an incoming QoS 2 message awaiting PUBREL under its packet id, replacing any earlier one
     * with that id. Stored by value, as retained messages and wills are: it has one holder.
     */
    void saveIncomingQos2(String clientId, int packetId, Message message);

    void deleteIncomingQos2(String clientId, int packetId);

    /** Stores the retained message of {@code message.topic()}, replacing any earlier one. */
    void saveRetained(Message message);

    void deleteRetained(String topic);

    /** A will held back by its Will Delay Interval, published at {@code publishAtMillis} (wall clock). */
    void saveWill(String clientId, Message will, long publishAtMillis);

    void deleteWill(String clientId);

    /**
     * A node link of a cluster routed message {@code seq} of {@code origin}'s {@code incarnation} and
     * stored what it queued: written with those changes, so that {@link #afterDurable} covers it. One
     * entry per origin node; it replaces the origin's earlier one (of this or an older incarnation).
     * Stores without a disk need not keep it: their sessions do not outlive the process either.
     */
    default void saveLinkSequence(String origin, long incarnation, long seq) {
    }

    /** What {@link #saveLinkSequence} kept, by origin node: read at start, before node links are accepted. */
    default Map<String, LinkSequence> linkSequences() {
        return Map.of();
    }

    /**
     * Runs {@code task} on {@code executor} once the changes this thread made before the call are
     * durable ({@code true}), or may not be ({@code false}: the store failed). Tasks registered from
     * one thread run in the order they were registered.
     */
    void afterDurable(Executor executor, Commit task);

    /**
     * The changes this thread makes from now on are the ones its next {@link #afterDurable} reports on
     * (called when the core starts handling a packet; earlier changes on the thread reported nothing).
     */
    default void beginChanges() {
    }

    /**
     * Whether this thread made changes since its last {@link #beginChanges} or {@link #afterDurable}:
     * when not, a reply has nothing to wait for. True when the store cannot tell.
     */
    default boolean hasUnreportedChanges() {
        return true;
    }

    /** Runs {@code task} only when the changes are durable: for callers that withhold their answer otherwise. */
    default void afterDurable(Executor executor, Runnable task) {
        afterDurable(executor, durable -> {
            if (durable) {
                task.run();
            }
        });
    }

    /** Whether the store takes writes now ({@link StoreHealth#OK} for stores without a disk). */
    default StoreHealth health() {
        return StoreHealth.OK;
    }

    /** What a task waiting for durability learns. */
    @FunctionalInterface
    interface Commit {
        void done(boolean durable);
    }

    /**
     * Reads everything back, at start-up, before any client connects. Expired data (messages past
     * their expiry, sessions past theirs) is deleted, not returned. The caller owns the returned
     * messages' references: one per delivery, one per retained message, one per will.
     */
    StoredState load();

    /** Bytes the store takes on disk (an estimate), for metrics and logs. */
    long diskBytes();

    @Override
    void close();

    /** {@code persistence false}: the live state in memory is all there is. */
    SessionStore NONE = new NoSessionStore();
}
