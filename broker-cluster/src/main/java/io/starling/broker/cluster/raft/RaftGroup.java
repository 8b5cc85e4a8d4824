package io.starling.broker.cluster.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.JChannel;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.raft.RaftHandle;
import org.jgroups.raft.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one jgroups-raft state machine of a member, made of {@link ReplicatedPart}s, and the way commands
 * reach it: batched, so that a storm of CONNECTs costs a few Raft rounds, not one round each.
 *
 * <p>Batching (group commit): at most one batch per member is in flight. Commands submitted while it
 * is travelling wait in a queue and leave together, as one Raft log entry, when it comes back. A single
 * command therefore costs one round; n concurrent ones cost about two rounds whatever n (up to
 * {@value #MAX_BATCH} per entry).
 *
 * <p>Failing fast: without a known leader (this member is on the minority side, or an election is
 * running) a batch fails at once with {@link RaftUnavailableException}; with a leader, it fails when
 * it is not committed within {@code timeout} (the leader may have just lost its majority). Until
 * failure detection removes an unreachable leader from the view, that is how long commands wait: the
 * timeout bounds how long a CONNECT waits during a partition, the failure-detection timeouts how long
 * until refusals are immediate.
 *
 * <p>Log entry: {@code count:i32 (tag:u8 length:i32 command)*}; answer: {@code count:i32 (length:i32
 * answer)*}. A snapshot holds every part's state: {@code count:i32 (tag:u8 length:i32 content)*}.
 *
 * <p>Threading: {@link #submit} from any thread. Batches are sent from one thread of this group;
 * answers complete the futures on jgroups-raft's threads (callers hop to their own loops).
 */
public final class RaftGroup implements StateMachine, AutoCloseable {
    static final int MAX_BATCH = 512;
    /** An answer's length when its command threw. */
    private static final int FAILED = -1;
    private static final Logger LOG = LoggerFactory.getLogger(RaftGroup.class);
    /** How long a view with a majority may stay without a leader before the election is started again. */
    static final Duration ELECTION_STALL = Duration.ofSeconds(3);

    private final ReplicatedPart[] parts = new ReplicatedPart[256];
    private final JChannel channel;
    private final Duration timeout;
    private volatile RaftHandle raft;
    private volatile ElectionWatch watch;
    private volatile CatchUpWatch catchUp;
    private final ExecutorService sender;
    private final AtomicLong failedApplies = new AtomicLong();
    /** Commands applied since start, failed or not: the same on members that hold the same log (for diagnostics). */
    private final AtomicLong appliedCommands = new AtomicLong();
    /** The parts' state when {@link #start} was called, as a snapshot: what {@link #resetForRejoin} puts back. */
    private byte[] initialContent;

    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean inFlight;
    private boolean closed;

    /**
     * @param channel a channel whose stack has RAFT (and its election protocol and REDIRECT); this
     *                group becomes its state machine on {@link #start}
     * @param timeout how long a batch may take to commit before its commands fail
     */
    public RaftGroup(JChannel channel, Duration timeout) {
        this.channel = Objects.requireNonNull(channel);
        this.timeout = Objects.requireNonNull(timeout);
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "starling-raft-submit");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Adds a part; all parts are added before {@link #start}, since the log may hold commands for any. */
    public void register(ReplicatedPart part) {
        int tag = part.tag() & 0xFF;
        if (raft != null) {
            throw new IllegalStateException("parts are registered before start()");
        }
        if (parts[tag] != null) {
            throw new IllegalArgumentException("two parts with tag " + tag);
        }
        parts[tag] = part;
    }

    /** Becomes the state machine of the channel's RAFT (before or after the channel connects). */
    public RaftGroup start() {
        try {
            ByteArrayOutputStream empty = new ByteArrayOutputStream();
            writeContentTo(new DataOutputStream(empty));
            initialContent = empty.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException("cannot take the parts' initial state", e);
        }
        raft = new RaftHandle(channel, this);
        watch = new ElectionWatch(channel, ELECTION_STALL);
        catchUp = new CatchUpWatch(channel);
        return this;
    }

    public RaftHandle handle() {
        return raft;
    }

    /**
     * Makes ready to connect the channel again after a join that failed (see {@code ClusterChannel#connect}):
     * the failed connect started RAFT, which replayed the log into the parts, and stopped it, which closed the
     * log. The parts go back to their state before {@link #start}, so that the next start replays the log
     * into them once, and RAFT opens its log afresh. Before the channel connects again only.
     */
    public void resetForRejoin() throws Exception {
        readContentFrom(new DataInputStream(new ByteArrayInputStream(initialContent)));
        RAFT protocol = channel.getProtocolStack().findProtocol(RAFT.class);
        protocol.log(null); // RAFT.start makes and opens a new one
    }

    /** The channel has joined: the state kept for {@link #resetForRejoin} (a copy of the retained messages) goes. */
    public void joined() {
        initialContent = null;
    }

    /** Votes this member started after it stayed without a leader in a view with a majority. */
    public long electionRestarts() {
        ElectionWatch w = watch;
        return w == null ? 0 : w.restarts();
    }

    /** Times this member, as leader, told a settled view again who leads. */
    public long leaderAnnouncements() {
        ElectionWatch w = watch;
        return w == null ? 0 : w.announcements();
    }

    /** Entries this member, as leader, sent again to followers that lagged while requests kept it busy. */
    public long catchUpResends() {
        CatchUpWatch c = catchUp;
        return c == null ? 0 : c.resends();
    }

    /** Commands that threw when this member applied them (each logged); 0 unless a part has a bug. */
    public long failedApplies() {
        return failedApplies.get();
    }

    /** This member's view of the election in one line, for warnings and failed tests. */
    public String describe() {
        RAFT r = channel.getProtocolStack().findProtocol(RAFT.class);
        return channel.getAddress() + ": view " + channel.getView() + ", Raft members " + r.members() + ", role "
                + r.role() + ", term " + r.currentTerm() + ", leader " + r.leader() + ", commit " + r.commitIndex()
                + ", last appended " + r.lastAppended()
                + ", votes restarted " + electionRestarts() + ", commands applied " + appliedCommands + " (failed "
                + failedApplies + ")";
    }

    /** Whether this member knows a leader: false on the minority side of a partition. */
    public boolean hasLeader() {
        RaftHandle handle = raft;
        return handle != null && handle.leader() != null;
    }

    /**
     * Commits {@code command} for the part with {@code tag}; answers with what the part's
     * {@link ReplicatedPart#apply} returned (the same on every member: same commands, same order).
     * Fails with {@link RaftUnavailableException} at once without a leader, or after the timeout.
     */
    public CompletableFuture<byte[]> submit(byte tag, byte[] command) {
        if (parts[tag & 0xFF] == null) {
            throw new IllegalArgumentException("no part with tag " + tag);
        }
        Pending pending = new Pending(tag, command, new CompletableFuture<>());
        if (!hasLeader()) {
            pending.answer.completeExceptionally(noLeader());
            return pending.answer;
        }
        synchronized (lock) {
            if (closed) {
                pending.answer.completeExceptionally(new RaftUnavailableException("the cluster is closing"));
                return pending.answer;
            }
            queue.add(pending);
        }
        schedule();
        return pending.answer;
    }

    private void sendBatch() {
        List<Pending> batch = new ArrayList<>();
        synchronized (lock) {
            if (inFlight || queue.isEmpty()) {
                return;
            }
            while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(queue.poll());
            }
            inFlight = true;
        }
        CompletableFuture<byte[]> round;
        try {
            if (!hasLeader()) {
                throw noLeader();
            }
            byte[] entry = encode(batch);
            round = raft.setAsync(entry, 0, entry.length);
        } catch (Exception e) {
            round = CompletableFuture.failedFuture(e);
        }
        round.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((answers, error) -> {
            synchronized (lock) {
                inFlight = false;
            }
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                RaftUnavailableException failure = cause instanceof RaftUnavailableException unavailable ? unavailable
                        : new RaftUnavailableException(cause instanceof TimeoutException
                                ? "not committed within " + timeout.toMillis() + " ms" : "Raft: " + cause);
                batch.forEach(p -> p.answer.completeExceptionally(failure));
            } else {
                complete(batch, answers);
            }
            schedule();
        });
    }

    private void schedule() {
        try {
            sender.execute(this::sendBatch);
        } catch (RejectedExecutionException closing) {
            // close() has failed what was queued.
        }
    }

    private static RaftUnavailableException noLeader() {
        return new RaftUnavailableException("no Raft leader (no majority reachable)");
    }

    private static byte[] encode(List<Pending> batch) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(batch.size());
        for (Pending p : batch) {
            out.writeByte(p.tag);
            out.writeInt(p.command.length);
            out.write(p.command);
        }
        return bytes.toByteArray();
    }

    private static void complete(List<Pending> batch, byte[] answers) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(answers));
            int count = in.readInt();
            if (count != batch.size()) {
                throw new IOException("answers for " + count + " commands, sent " + batch.size());
            }
            for (Pending p : batch) {
                int length = in.readInt();
                if (length == FAILED) {
                    p.answer.completeExceptionally(new IllegalStateException("the command failed when applied (see the log)"));
                    continue;
                }
                byte[] answer = new byte[length];
                in.readFully(answer);
                p.answer.complete(answer);
            }
        } catch (IOException e) {
            batch.forEach(p -> p.answer.completeExceptionally(new UncheckedIOException(e)));
        }
    }

    // StateMachine: on jgroups-raft's apply thread.

    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length));
        int count = in.readInt();
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(answers);
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            byte tag = in.readByte();
            byte[] command = new byte[in.readInt()];
            in.readFully(command);
            byte[] answer;
            appliedCommands.incrementAndGet();
            try {
                answer = part(tag).apply(new DataInputStream(new ByteArrayInputStream(command)));
            } catch (Exception | AssertionError e) {
                // jgroups-raft would swallow it in silence and skip the batch's other commands on this member only.
                failedApplies.incrementAndGet();
                LOG.error("Raft command {} of {} for part {} failed when applied on {}; the batch's other commands are applied",
                        i + 1, count, tag & 0xFF, channel.getAddress(), e);
                out.writeInt(FAILED);
                continue;
            }
            out.writeInt(answer.length);
            out.write(answer);
        }
        return serializeResponse ? answers.toByteArray() : null;
    }

    @Override
    public void writeContentTo(DataOutput out) throws Exception {
        List<ReplicatedPart> present = new ArrayList<>();
        for (ReplicatedPart part : parts) {
            if (part != null) {
                present.add(part);
            }
        }
        out.writeInt(present.size());
        for (ReplicatedPart part : present) {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            part.writeContentTo(new DataOutputStream(content));
            out.writeByte(part.tag());
            out.writeInt(content.size());
            out.write(content.toByteArray());
        }
    }

    @Override
    public void readContentFrom(DataInput in) throws Exception {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            ReplicatedPart part = part(in.readByte());
            byte[] content = new byte[in.readInt()];
            in.readFully(content);
            part.readContentFrom(new DataInputStream(new ByteArrayInputStream(content)));
        }
    }

    private ReplicatedPart part(byte tag) throws IOException {
        ReplicatedPart part = parts[tag & 0xFF];
        if (part == null) {
            throw new IOException("a command for an unknown part " + (tag & 0xFF));
        }
        return part;
    }

    /** Fails the queued commands and stops the sending thread; the channel is its owner's to close. */
    @Override
    public void close() {
        List<Pending> left;
        synchronized (lock) {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
        }
        RaftUnavailableException closing = new RaftUnavailableException("the cluster is closing");
        left.forEach(p -> p.answer.completeExceptionally(closing));
        sender.shutdown();
        ElectionWatch w = watch;
        if (w != null) {
            w.close();
        }
        CatchUpWatch c = catchUp;
        if (c != null) {
            c.close();
        }
    }

    private record Pending(byte tag, byte[] command, CompletableFuture<byte[]> answer) {
    }
}
