package io.starling.broker.cluster.registry;

import io.starling.broker.cluster.NodeId;
import io.starling.broker.cluster.raft.RaftGroup;
import io.starling.broker.cluster.raft.RaftUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Client ids are unique across the cluster (issue 17, point 3): which node holds each id, as a
 * linearizable compare-and-set on jgroups-raft, with an epoch that fences the old owner's late writes.
 *
 * <ul>
 *   <li>{@link #claim}: a CONNECT takes the id, whoever held it (MQTT's takeover: the newest connection
 *       wins). The answer names the previous owner, from whom the caller takes the session over; the
 *       previous owner also learns it from the registry ({@link OwnerListener}).
 *   <li>{@link #release}: a session that ended gives the id back, but only while its epoch is the
 *       current one: a release from a connection that was taken over meanwhile changes nothing.
 *   <li>{@link #owner}: a linearizable read (it goes through the log); {@link #localOwner} is this
 *       member's applied state, possibly behind.
 *   <li>{@link #dropNode}: forgets every id a node holds. NOT called when JGroups suspects or removes a
 *       node: a suspected node may be alive on the other side of a partition with its clients still
 *       connected, and its entries are what fences its sessions when it comes back (issue point 8:
 *       "fenced by the epoch if the client has moved meanwhile"). A dead node's ids need no clean-up
 *       to be taken: the next claim of each id simply wins. It is for a node itself, at start, after
 *       it has compared the owners of the sessions in its store, or for an operator removing a node
 *       for good.
 * </ul>
 *
 * Without a Raft majority every operation fails fast ({@link ClaimResult.Unavailable} for claims,
 * {@link RaftUnavailableException} for the others). A claim that timed out may still commit later: the
 * registry then names this node for an id it has no connection for, which is harmless (the next claim
 * of the id wins, and the old owner was told by {@link OwnerListener} to close its connection).
 */
public final class ClientIdRegistry {
    private final NodeId self;
    private final RaftGroup raft;
    private final ClientIdTable table;

    /** Registers the registry's part with {@code raft}, which is not started yet. */
    public ClientIdRegistry(NodeId self, RaftGroup raft, OwnerListener listener) {
        this.self = self;
        this.raft = raft;
        this.table = new ClientIdTable(self, listener);
        raft.register(table);
    }

    /** Takes {@code clientId} for this node. Never fails exceptionally: no majority is {@link ClaimResult.Unavailable}. */
    public CompletableFuture<ClaimResult> claim(String clientId) {
        return raft.submit(ClientIdTable.TAG, command(ClientIdTable.CLAIM, out -> {
            out.writeUTF(clientId);
            out.writeUTF(self.name());
        })).handle((answer, error) -> {
            if (error != null) {
                return new ClaimResult.Unavailable(reason(error));
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer));
            try {
                Owner owner = new Owner(self, in.readLong());
                return new ClaimResult.Granted(owner, ClientIdTable.readOwner(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Gives {@code clientId} back when {@code owner} still holds it; answers whether it did. */
    public CompletableFuture<Boolean> release(String clientId, Owner owner) {
        return raft.submit(ClientIdTable.TAG, command(ClientIdTable.RELEASE, out -> {
            out.writeUTF(clientId);
            out.writeUTF(owner.node().name());
            out.writeLong(owner.epoch());
        })).thenApply(answer -> answer[0] == 1);
    }

    /** Who holds {@code clientId} now (null: nobody), read through the log. */
    public CompletableFuture<Owner> owner(String clientId) {
        return raft.submit(ClientIdTable.TAG, command(ClientIdTable.OWNER, out -> out.writeUTF(clientId)))
                .thenApply(answer -> read(answer));
    }

    /** Who holds {@code clientId} as far as this member has applied (null: nobody); no round trip. */
    public Owner localOwner(String clientId) {
        return table.localOwner(clientId);
    }

    /** The number of ids held, as far as this member has applied. */
    public int size() {
        return table.size();
    }

    /** Forgets every id {@code node} holds (see the class note for when that is safe); answers how many. */
    public CompletableFuture<Integer> dropNode(NodeId node) {
        return raft.submit(ClientIdTable.TAG, command(ClientIdTable.DROP_NODE, out -> out.writeUTF(node.name())))
                .thenApply(answer -> ((answer[0] & 0xFF) << 24) | ((answer[1] & 0xFF) << 16)
                        | ((answer[2] & 0xFF) << 8) | (answer[3] & 0xFF));
    }

    private static Owner read(byte[] answer) {
        try {
            return ClientIdTable.readOwner(new DataInputStream(new ByteArrayInputStream(answer)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String reason(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    private static byte[] command(byte op, CommandWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeByte(op);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private interface CommandWriter {
        void write(DataOutputStream out) throws IOException;
    }
}
