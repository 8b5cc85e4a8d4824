package io.starling.broker.cluster.retained;

import io.netty.buffer.Unpooled;
import io.starling.broker.cluster.raft.ReplicatedPart;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The retained messages' part of the Raft state: committed sets and deletes, applied in log order into
 * this node's local {@link RetainedStore}, which every read uses. Topics that stay on their node
 * ({@link ReplicatedRetainedStore#isLocal}: {@code $SYS}) are never in a command nor in a snapshot.
 *
 * <p>Commands: {@code op:u8} then {@code SET message} ({@link RetainedCodec}) or {@code DELETE topic:utf}.
 * Snapshot: {@code version:u8 count:i32 message*}.
 *
 * <p>Threading: jgroups-raft's apply thread only; the local store is thread-safe for the readers.
 */
final class RetainedPart implements ReplicatedPart {
    static final byte TAG = 2;
    static final byte SET = 1;
    static final byte DELETE = 2;
    private static final int SNAPSHOT_VERSION = 1;
    private static final byte[] NO_ANSWER = new byte[0];

    private final RetainedStore local;
    private final RetainedCodec codec;

    RetainedPart(RetainedStore local, RetainedCodec codec) {
        this.local = local;
        this.codec = codec;
    }

    @Override
    public byte tag() {
        return TAG;
    }

    @Override
    public byte[] apply(DataInput command) throws IOException {
        byte op = command.readByte();
        if (op == SET) {
            local.put(codec.read(command)); // the store takes the message's one reference
        } else if (op == DELETE) {
            local.put(deletion(command.readUTF()));
        } else {
            throw new IOException("unknown retained command " + op);
        }
        return NO_ANSWER;
    }

    @Override
    public void writeContentTo(DataOutput out) throws IOException {
        List<String> topics = replicatedTopics();
        List<Message> messages = new ArrayList<>(topics.size());
        try {
            for (String topic : topics) {
                local.match(topic, m -> messages.add(m)); // a topic name matches itself only
            }
            out.writeByte(SNAPSHOT_VERSION);
            out.writeInt(messages.size());
            for (Message m : messages) {
                codec.write(m, out);
            }
        } finally {
            messages.forEach(Message::release);
        }
    }

    @Override
    public void readContentFrom(DataInput in) throws IOException {
        int version = in.readByte();
        if (version != SNAPSHOT_VERSION) {
            throw new IOException("unknown retained snapshot version " + version);
        }
        int count = in.readInt();
        Set<String> kept = new HashSet<>();
        for (int i = 0; i < count; i++) {
            Message m = codec.read(in);
            kept.add(m.topic());
            local.put(m);
        }
        for (String topic : replicatedTopics()) {
            if (!kept.contains(topic)) {
                local.put(deletion(topic));
            }
        }
    }

    private List<String> replicatedTopics() {
        List<String> topics = new ArrayList<>();
        local.topics((topic, payloadBytes) -> {
            if (!ReplicatedRetainedStore.isLocal(topic)) {
                topics.add(topic);
            }
            return true;
        });
        return topics;
    }

    private static Message deletion(String topic) {
        return new Message(topic, QoS.AT_MOST_ONCE, true, Unpooled.EMPTY_BUFFER, Properties.EMPTY, "",
                Message.NEVER_EXPIRES);
    }
}
