package io.starling.broker.core.testing;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.starling.broker.core.routing.LoopOutbox;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Event loops for core tests. Core objects (clients, sessions) are owned by one loop and must be
 * called on its thread, so a test drives them through {@link InLoop#run} and {@link InLoop#call},
 * which block until the work is done, and lets cross-loop work settle with {@link #drain}.
 */
public final class TestLoops {
    private static final long TIMEOUT_SECONDS = 10;

    private TestLoops() {
    }

    /** A new single-threaded loop with its outbox. Close it when done. */
    public static InLoop start(String name) {
        return new InLoop(new DefaultEventExecutor(new DefaultThreadFactory(name, true)));
    }

    /**
     * Waits until every loop has run the work queued on it, including work that one loop queues on
     * another while this runs (a takeover hops loop → loop → loop).
     */
    public static void drain(InLoop... loops) {
        for (int round = 0; round < 4; round++) {
            for (InLoop loop : loops) {
                loop.drain();
            }
        }
    }

    /** One single-threaded loop and its {@link LoopOutbox}. */
    public static final class InLoop implements AutoCloseable {
        private final DefaultEventExecutor executor;
        private final LoopOutbox outbox;

        private InLoop(DefaultEventExecutor executor) {
            this.executor = executor;
            this.outbox = new LoopOutbox(executor);
        }

        public LoopOutbox outbox() {
            return outbox;
        }

        public DefaultEventExecutor executor() {
            return executor;
        }

        /** Runs {@code task} on the loop and waits for it; its exception is rethrown here. */
        public void run(Runnable task) {
            call(() -> {
                task.run();
                return null;
            });
        }

        /** Runs {@code task} on the loop and returns its result; its exception is rethrown here. */
        public <T> T call(Callable<T> task) {
            if (executor.inEventLoop()) {
                throw new IllegalStateException("would wait for itself: already on " + executor);
            }
            return await(executor.submit(task));
        }

        /**
         * Waits until the loop has run what was queued on it, directly or through the outbox, before
         * this call. Work queued meanwhile by other loops needs {@link TestLoops#drain(InLoop...)}.
         */
        public void drain() {
            for (int i = 0; i < 2; i++) {
                run(() -> { }); // the executor's queue is FIFO
                CompletableFuture<Void> done = new CompletableFuture<>();
                outbox.submit(() -> done.complete(null)); // the outbox's inbox is FIFO too
                await(done);
            }
        }

        @Override
        public void close() {
            executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        private static <T> T await(Future<T> future) {
            try {
                return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (TimeoutException e) {
                throw new AssertionError("loop did not finish the work in " + TIMEOUT_SECONDS + " s", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }
}
