package io.starling.broker.cluster.registry;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.raft.ReplicatedPart;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry's replicated state: client id to {@link Owner}, and the last epoch given. Every member
 * holds the same table, changed only by committed commands in log order (see {@link ClientIdRegistry}
 * for what each command means).
 *
 * <p>Commands: {@code op:u8} then {@code CLAIM clientId node}, {@code RELEASE clientId node epoch:i64},
 * {@code OWNER clientId}, {@code DROP_NODE node} (strings as {@link DataOutput#writeUTF}). Snapshot:
 * {@code version:u8 lastEpoch:i64 count:i32 (clientId node epoch:i64)*}.
 *
 * <p>Threading: changed on jgroups-raft's apply thread only; {@link #localOwner} reads from any thread
 * (a concurrent map: a read sees this member's applied state, which may lag the leader's).
 */
final class ClientIdTable implements ReplicatedPart {
    static final byte TAG = 1;
    static final byte CLAIM = 1;
    static final byte RELEASE = 2;
    static final byte OWNER = 3;
    static final byte DROP_NODE = 4;
    private static final int SNAPSHOT_VERSION = 1;

    private final NodeId self;
    private final OwnerListener listener;
    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    private long lastEpoch;

    ClientIdTable(NodeId self, OwnerListener listener) {
        this.self = self;
        this.listener = listener;
    }

    Owner localOwner(String clientId) {
        return owners.get(clientId);
    }

    int size() {
        return owners.size();
    }

    @Override
    public byte tag() {
        return TAG;
    }

    @Override
    public byte[] apply(DataInput command) throws IOException {
        byte op = command.readByte();
        switch (op) {
            case CLAIM -> {
                String clientId = command.readUTF();
                Owner owner = new Owner(new NodeId(command.readUTF()), ++lastEpoch);
                Owner previous = owners.put(clientId, owner);
                if (previous != null && previous.node().equals(self) && !owner.node().equals(self)) {
                    listener.lost(clientId, previous, owner);
                }
                return answer(out -> {
                    out.writeLong(owner.epoch());
                    writeOwner(out, previous);
                });
            }
            case RELEASE -> {
                String clientId = command.readUTF();
                Owner release = new Owner(new NodeId(command.readUTF()), command.readLong());
                boolean released = owners.remove(clientId, release);
                return new byte[] {(byte) (released ? 1 : 0)};
            }
            case OWNER -> {
                Owner owner = owners.get(command.readUTF());
                return answer(out -> writeOwner(out, owner));
            }
            case DROP_NODE -> {
                NodeId node = new NodeId(command.readUTF());
                int before = owners.size();
                owners.values().removeIf(owner -> owner.node().equals(node));
                int dropped = before - owners.size();
                return answer(out -> out.writeInt(dropped));
            }
            default -> throw new IOException("unknown registry command " + op);
        }
    }

    @Override
    public void writeContentTo(DataOutput out) throws IOException {
        out.writeByte(SNAPSHOT_VERSION);
        out.writeLong(lastEpoch);
        Map<String, Owner> copy = Map.copyOf(owners);
        out.writeInt(copy.size());
        for (Map.Entry<String, Owner> e : copy.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue().node().name());
            out.writeLong(e.getValue().epoch());
        }
    }

    @Override
    public void readContentFrom(DataInput in) throws IOException {
        int version = in.readByte();
        if (version != SNAPSHOT_VERSION) {
            throw new IOException("unknown registry snapshot version " + version);
        }
        lastEpoch = in.readLong();
        int count = in.readInt();
        Map<String, Owner> read = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            read.put(in.readUTF(), new Owner(new NodeId(in.readUTF()), in.readLong()));
        }
        for (Map.Entry<String, Owner> e : owners.entrySet()) {
            Owner now = read.get(e.getKey());
            if (e.getValue().node().equals(self) && now != null && !now.node().equals(self)) {
                listener.lost(e.getKey(), e.getValue(), now);
            }
        }
        owners.keySet().retainAll(read.keySet());
        owners.putAll(read);
    }

    static void writeOwner(DataOutput out, Owner owner) throws IOException {
        out.writeBoolean(owner != null);
        if (owner != null) {
            out.writeUTF(owner.node().name());
            out.writeLong(owner.epoch());
        }
    }

    static Owner readOwner(DataInput in) throws IOException {
        return in.readBoolean() ? new Owner(new NodeId(in.readUTF()), in.readLong()) : null;
    }

    private static byte[] answer(Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writer.write(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private interface Writer {
        void write(DataOutput out) throws IOException;
    }
}
