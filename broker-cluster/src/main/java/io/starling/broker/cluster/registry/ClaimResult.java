package io.starling.broker.cluster.registry;

/** The outcome of {@link ClientIdRegistry#claim}: the id is this node's now, or no majority answered. */
public sealed interface ClaimResult {

    /**
     * The claim is committed: {@code owner} is this node with its new epoch; {@code previous} is who
     * held the id before (null when nobody did), so that the caller takes the session over from it.
     */
    record Granted(Owner owner, Owner previous) implements ClaimResult {
    }

    /**
     * No Raft majority committed the claim (minority side, election, timeout): the CONNECT is refused
     * (MQTT 5: 0x88 Server unavailable; 3.1.1: return code 3) rather than risk two live sessions.
     */
    record Unavailable(String reason) implements ClaimResult {
    }
}
