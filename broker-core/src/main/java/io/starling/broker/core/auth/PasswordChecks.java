package io.starling.broker.core.auth;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place slow password checks run (see {@link Authenticator#isSlow()}: an argon2id hash takes
 * ~100 ms and ~46 MiB), for every caller: CONNECT, the re-check of connected clients after a password
 * file reload, and HTTP API Basic auth. A fast authenticator is asked at once, on the caller's thread.
 *
 * <p>Under pressure: a few threads ({@code password_check_threads}) take checks from two queues.
 * Logins wait in a bounded one ({@code max_pending_password_checks}); when it is full the caller is
 * answered {@link Authenticator.Decision#SERVER_BUSY} at once, so a flood of CONNECTs costs a refusal
 * each, not a hash each, and a valid login waits at most for one queue's worth of hashes. Re-checks
 * after a reload (one per connected client, so bounded by the connections) are taken only when no
 * login waits, and by one thread at a time: a reload cannot starve logins. A check whose requester
 * went away while it waited ({@link Ticket#cancel()}) is skipped: no hash for a closed connection.
 * Refusals and skips are counted (for $SYS and /metrics) and refusals logged at most once per
 * {@value #LOG_INTERVAL_SECONDS} seconds.
 *
 * <p>Threading: {@link #check} may be called from any thread; answers come on the executor the
 * caller gave (its event loop), or on the caller's thread when the answer is immediate. One lock
 * guards the two queues and the re-check flag; it is never held while hashing or answering.
 */
public final class PasswordChecks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordChecks.class);
    static final long LOG_INTERVAL_SECONDS = 10;

    /** Who is waiting: a login is answered first; a re-check only when no login waits. */
    public enum Priority { LOGIN, RECHECK }

    /** A check asked for; its requester cancels it when it no longer wants the answer (connection closed). */
    public static final class Ticket {
        /** The ticket of a check answered at once: there is nothing left to cancel. */
        static final Ticket ANSWERED = new Ticket(false);
        private final boolean waits;
        private volatile boolean cancelled;

        private Ticket(boolean waits) {
            this.waits = waits;
        }

        public void cancel() {
            if (waits) {
                cancelled = true;
            }
        }

        public boolean isCancelled() {
            return cancelled;
        }
    }

    private record Job(Ticket ticket, BooleanSupplier requesterGone, Priority priority, Authenticator authenticator,
                       String clientId, String username, byte[] password, Executor answerOn,
                       Consumer<Authenticator.Decision> answer) {
        boolean unwanted() {
            return ticket.isCancelled() || requesterGone.getAsBoolean();
        }
    }

    private final int maxPending;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final ArrayDeque<Job> logins = new ArrayDeque<>();
    private final ArrayDeque<Job> rechecks = new ArrayDeque<>();
    private final Thread[] threads;
    private boolean recheckRunning;
    private boolean closed;
    private final LongAdder done = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final io.starling.broker.core.RateLimitedLog refusalLog =
            new io.starling.broker.core.RateLimitedLog(LOG_INTERVAL_SECONDS);

    /**
     * @param threads    threads that hash ({@code password_check_threads}), at least 1
     * @param maxPending logins that may wait for a thread ({@code max_pending_password_checks}), at least 1
     */
    public PasswordChecks(int threads, int maxPending) {
        if (threads < 1 || maxPending < 1) {
            throw new IllegalArgumentException("threads and maxPending must be positive: " + threads + ", " + maxPending);
        }
        this.maxPending = maxPending;
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::work, "starling-auth-" + (i + 1));
            t.setDaemon(true);
            this.threads[i] = t;
        }
        // Started lazily: most brokers never see a slow hash, and need no threads for it.
    }

    /**
     * Checks credentials and hands the decision to {@code answer}: at once on this thread when the
     * authenticator is fast or the login queue is full ({@link Authenticator.Decision#SERVER_BUSY}),
     * otherwise later on {@code answerOn}. A cancelled ticket gets no answer.
     *
     * @return the ticket to cancel when the answer is no longer wanted
     */
    public Ticket check(Priority priority, Authenticator authenticator, String clientId, String username,
                        byte[] password, Executor answerOn, Consumer<Authenticator.Decision> answer) {
        return check(priority, authenticator, clientId, username, password, answerOn, () -> false, answer);
    }

    /**
     * As {@link #check(Priority, Authenticator, String, String, byte[], Executor, Consumer)}, for a
     * requester that can tell from any thread whether it is gone (an HTTP channel that closed).
     */
    public Ticket check(Priority priority, Authenticator authenticator, String clientId, String username,
                        byte[] password, Executor answerOn, BooleanSupplier requesterGone,
                        Consumer<Authenticator.Decision> answer) {
        if (!authenticator.isSlow()) {
            answer.accept(authenticator.authenticate(clientId, username, password));
            return Ticket.ANSWERED;
        }
        Ticket ticket = new Ticket(true);
        boolean queued = false;
        lock.lock();
        try {
            ArrayDeque<Job> queue = priority == Priority.LOGIN ? logins : rechecks;
            if (!closed && (priority == Priority.RECHECK || logins.size() < maxPending)) {
                startThreads();
                queue.add(new Job(ticket, requesterGone, priority, authenticator, clientId, username, password, answerOn, answer));
                workAvailable.signal();
                queued = true;
            }
        } finally {
            lock.unlock();
        }
        if (!queued) {
            refused.increment();
            logRefusal();
            answer.accept(Authenticator.Decision.SERVER_BUSY);
            return Ticket.ANSWERED;
        }
        return ticket;
    }

    /** Checks hashed so far. */
    public long done() {
        return done.sum();
    }

    /** Logins refused because the queue was full. */
    public long refused() {
        return refused.sum();
    }

    /**
     * Checks not made because their requester had gone by their turn: the connection closed (or, for
     * a re-check, a later reload's re-check replaced it).
     */
    public long skipped() {
        return skipped.sum();
    }

    /** Checks waiting for a thread now, logins and re-checks. */
    public int pending() {
        lock.lock();
        try {
            return logins.size() + rechecks.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            logins.clear();
            rechecks.clear();
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held. */
    private void startThreads() {
        for (Thread t : threads) {
            if (t.getState() == Thread.State.NEW) {
                t.start();
            }
        }
    }

    private void work() {
        while (true) {
            Job job = next();
            if (job == null) {
                return;
            }
            try {
                run(job);
            } finally {
                if (job.priority == Priority.RECHECK) {
                    lock.lock();
                    try {
                        recheckRunning = false;
                        workAvailable.signal();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        }
    }

    /** The next job to run, logins first; null once closed. */
    private Job next() {
        lock.lock();
        try {
            while (!closed) {
                Job job = logins.poll();
                if (job == null && !recheckRunning) {
                    job = rechecks.poll();
                    recheckRunning = job != null;
                }
                if (job != null) {
                    return job;
                }
                workAvailable.awaitUninterruptibly();
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void run(Job job) {
        if (job.unwanted()) {
            skipped.increment();
            return;
        }
        Authenticator.Decision decision;
        try {
            decision = job.authenticator.authenticate(job.clientId, job.username, job.password);
        } catch (RuntimeException e) {
            LOG.error("Password check for {} failed; refusing it.", job.clientId, e);
            decision = Authenticator.Decision.NOT_AUTHORIZED;
        }
        done.increment();
        Authenticator.Decision answer = decision;
        try {
            job.answerOn.execute(() -> {
                if (!job.unwanted()) {
                    job.answer.accept(answer);
                }
            });
        } catch (RejectedExecutionException e) {
            // the requester's event loop is shutting down: nobody is left to answer
        }
    }

    private void logRefusal() {
        refusalLog.warn(LOG, "Login refused as server busy: {} password checks waiting, as many as "
                + "max_pending_password_checks allows ({} refused in all, counted in "
                + "$SYS/broker/password_checks/refused/queue_full)", maxPending, refused.sum());
    }
}
