package io.starling.broker.cluster.raft;

/**
 * A command could not be committed: this member knows no Raft leader (it is on the minority side, or
 * an election is running), or the command was not committed within the group's timeout. The command
 * may still be committed later when it timed out; commands are written so that this is harmless.
 */
public final class RaftUnavailableException extends Exception {
    public RaftUnavailableException(String message) {
        super(message, null, false, false);
    }
}
