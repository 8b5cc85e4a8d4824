package io.starling.broker.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs tasks at the same time, each on a thread of its own: for things that wait for each other, as cluster
 * nodes waiting at start for a Raft leader. (The common pool has one thread on a 2-core machine, so
 * {@code CompletableFuture.supplyAsync} would start them one after another, each waiting alone.)
 */
public final class Concurrently {
    private Concurrently() {
    }

    /**
     * The tasks' results in their order. When one fails or times out, the others' results are given to
     * {@code undo} (a started broker closed, so that it does not outlive the test) and the first failure is thrown.
     */
    public static <T> List<T> all(Duration timeout, List<Callable<T>> tasks, Consumer<T> undo) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(tasks.size(), r -> {
            Thread t = new Thread(r, "concurrently");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = threads.invokeAll(tasks, timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<T> results = new ArrayList<>();
            Exception failure = null;
            for (Future<T> f : futures) {
                if (f.isCancelled()) {
                    failure = failure != null ? failure
                            : new IllegalStateException("a task did not end within " + timeout.toMillis() + " ms");
                    continue;
                }
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            if (failure != null) {
                results.forEach(undo);
                throw failure;
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }
}
