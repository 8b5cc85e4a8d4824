package io.starling.broker.cluster.registry;

/**
 * Told when another node claimed a client id this node held: its local connection for that id must
 * be closed (MQTT 5: DISCONNECT 0x8E Session taken over). Every node applies every claim, so the old
 * owner learns of the takeover from the registry itself, even when the new owner's own message to it
 * is lost or the new owner's CONNECT was refused after a timed-out claim.
 *
 * <p>Also called while a restarted node replays its Raft log and when it installs a snapshot: for an id
 * it has no connection for there is nothing to close.
 *
 * <p>Threading: called on jgroups-raft's apply thread; hand the work to the connection's loop and return.
 */
@FunctionalInterface
public interface OwnerListener {
    OwnerListener NONE = (clientId, lost, winner) -> { };

    void lost(String clientId, Owner lost, Owner winner);
}
