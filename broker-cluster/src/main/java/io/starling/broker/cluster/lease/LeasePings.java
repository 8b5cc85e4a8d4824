package io.starling.broker.cluster.lease;

import io.starling.broker.cluster.raft.ReplicatedPart;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Raft part that carries lease pings: a ping does nothing to the replicated state; what matters is
 * that this node applies its own, since by then it has applied every entry before it (a claim of one of
 * its client ids among them). Registered on every node, lease or not, since any node's pings are in the
 * log that every node applies.
 *
 * <p>Command: {@code node incarnation:i64 sentNanos:i64} (node as {@link DataOutput#writeUTF}); no answer,
 * no snapshot content.
 */
public final class LeasePings implements ReplicatedPart {
    static final byte TAG = 3;
    private static final byte[] NO_ANSWER = new byte[0];

    /** Hears this node's own pings as they are applied. */
    interface Listener {
        void applied(long incarnation, long sentNanos);
    }

    private final String self;
    private volatile Listener listener = (incarnation, sentNanos) -> { };

    public LeasePings(String selfNodeName) {
        this.self = selfNodeName;
    }

    void listen(Listener l) {
        this.listener = l;
    }

    static byte[] ping(String node, long incarnation, long sentNanos) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(node);
            out.writeLong(incarnation);
            out.writeLong(sentNanos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public byte tag() {
        return TAG;
    }

    @Override
    public byte[] apply(DataInput command) throws IOException {
        String node = command.readUTF();
        long incarnation = command.readLong();
        long sentNanos = command.readLong();
        if (node.equals(self)) {
            listener.applied(incarnation, sentNanos);
        }
        return NO_ANSWER;
    }

    @Override
    public void writeContentTo(DataOutput out) {
        // no state
    }

    @Override
    public void readContentFrom(DataInput in) {
        // no state
    }
}
