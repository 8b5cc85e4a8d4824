package io.starling.broker.server;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.sys.SysTree;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the $SYS tree every {@code sys_interval} seconds (mosquitto's default 10; 0 turns
 * publishing off) and answers the HTTP API's questions about it. Everything runs on one event loop,
 * which thus owns the {@link SysTree}; subscribers on that loop get their messages flushed at the end
 * of each run, those on other loops through their outboxes.
 */
final class SysTreeTimer implements AutoCloseable {
    private final SysTree tree;
    private final LoopOutbox loop;
    /** Null when publishing is off. */
    private ScheduledFuture<?> task;
    private int intervalSeconds;
    private boolean started;
    private boolean closed;

    private SysTreeTimer(SysTree tree, LoopOutbox loop) {
        this.tree = tree;
        this.loop = loop;
    }

    /** Publishes the first values now and the rest every {@code intervalSeconds}, unless that is 0. */
    static SysTreeTimer start(BrokerCore core, LoopOutbox loop, int intervalSeconds, String version) {
        SysTreeTimer timer = new SysTreeTimer(new SysTree(core, version), loop);
        timer.reschedule(intervalSeconds);
        return timer;
    }

    /**
     * A new {@code sys_interval} (SIGHUP, which mosquitto applies too): the next update comes one new
     * interval from now; 0 stops the updates. The first values go out when publishing first starts.
     */
    synchronized void reschedule(int seconds) {
        if (closed || seconds == intervalSeconds && task != null) {
            return;
        }
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        intervalSeconds = seconds;
        if (seconds <= 0) {
            return;
        }
        if (!started) {
            started = true;
            loop.execute(() -> {
                tree.publishStart();
                loop.flushPending();
            });
        }
        task = loop.loop().scheduleAtFixedRate(() -> {
            tree.publishUpdate();
            loop.flushPending();
        }, seconds, seconds, TimeUnit.SECONDS);
    }

    /**
     * Adds topics from outside core (the cluster's, see {@link SysTree#addTopics}); their values are
     * published at once when publishing is on, then with the others.
     */
    void addTopics(java.util.function.Supplier<Map<String, String>> topics) {
        loop.execute(() -> {
            List<SysTree.Value> now = tree.addTopics(topics);
            synchronized (this) {
                if (!started || intervalSeconds <= 0 || closed) {
                    return;
                }
            }
            tree.publishValues(now);
            loop.flushPending();
        });
    }

    /** The current values ({@link SysTree#values()}), read on the tree's loop. */
    CompletableFuture<Map<String, Long>> values() {
        CompletableFuture<Map<String, Long>> out = new CompletableFuture<>();
        loop.execute(() -> out.complete(tree.values()));
        return out;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (task != null) {
            task.cancel(false);
        }
    }
}
