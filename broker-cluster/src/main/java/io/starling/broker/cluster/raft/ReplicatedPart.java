package io.starling.broker.cluster.raft;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One piece of the state that every member keeps in the same order through Raft (the client-id
 * registry, the retained messages), as a part of the one state machine a RAFT protocol has.
 *
 * <p>Threading: called on jgroups-raft's apply thread only, one call at a time. {@link #apply} must be
 * deterministic: every member applies the same commands in the same order and must end in the same
 * state. A snapshot is the part's whole state; {@link #readContentFrom} replaces the state with it.
 */
public interface ReplicatedPart {

    /** The part's tag in commands and snapshots; unique in a {@link RaftGroup}, never reused. */
    byte tag();

    /** Applies one command and returns its answer (empty when the command has none). */
    byte[] apply(DataInput command) throws IOException;

    void writeContentTo(DataOutput out) throws IOException;

    void readContentFrom(DataInput in) throws IOException;
}
