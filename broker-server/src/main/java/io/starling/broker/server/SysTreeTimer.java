package io.starling.broker.server;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.sys.SysTree;
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
    private final ScheduledFuture<?> task;

    private SysTreeTimer(SysTree tree, LoopOutbox loop, ScheduledFuture<?> task) {
        this.tree = tree;
        this.loop = loop;
        this.task = task;
    }

    /** Publishes the first values now and the rest every {@code intervalSeconds}, unless that is 0. */
    static SysTreeTimer start(BrokerCore core, LoopOutbox loop, int intervalSeconds, String version) {
        SysTree tree = new SysTree(core, version);
        if (intervalSeconds <= 0) {
            return new SysTreeTimer(tree, loop, null);
        }
        loop.execute(() -> {
            tree.publishStart();
            loop.flushPending();
        });
        ScheduledFuture<?> task = loop.loop().scheduleAtFixedRate(() -> {
            tree.publishUpdate();
            loop.flushPending();
        }, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        return new SysTreeTimer(tree, loop, task);
    }

    /** The current values ({@link SysTree#values()}), read on the tree's loop. */
    CompletableFuture<Map<String, Long>> values() {
        CompletableFuture<Map<String, Long>> out = new CompletableFuture<>();
        loop.execute(() -> out.complete(tree.values()));
        return out;
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
