package io.starling.broker.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.starling.broker.core.routing.LoopOutbox;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The broker's event loops (epoll where the platform has it, NIO elsewhere) and the
 * {@link LoopOutbox} of each. Every connection, and the session attached to it, lives on one of the
 * worker loops.
 *
 * <p>The listening sockets are on the worker loops too, not on an accept thread of their own (issue 16):
 * a connection accepted on a loop is registered there at once, where one accepted on a separate thread
 * was handed over with a task and a wake-up each, and on a busy or single core two threads took turns
 * per connection (context switches). Mosquitto accepts on its one thread as well.
 */
public final class EventLoops implements AutoCloseable {
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> serverChannel;
    private final Map<EventExecutor, LoopOutbox> outboxes = new IdentityHashMap<>();
    private final Map<EventExecutor, LoopConnections> connections = new IdentityHashMap<>();

    /** Loops whose outboxes have no backlog limit: for tests. */
    public EventLoops(int workerThreads) {
        this(workerThreads, Long.MAX_VALUE, new io.starling.broker.core.DropCounters(),
                new io.starling.broker.core.OverloadCounters());
    }

    /** @param backlogLimit payload bytes handed to a loop by the others above which its publishers are paused */
    public EventLoops(int workerThreads, long backlogLimit, io.starling.broker.core.DropCounters drops,
                      io.starling.broker.core.OverloadCounters overload) {
        if (Epoll.isAvailable()) {
            workers = new EpollEventLoopGroup(workerThreads, new DefaultThreadFactory("starling-io"));
            serverChannel = EpollServerSocketChannel.class;
        } else {
            workers = new NioEventLoopGroup(workerThreads, new DefaultThreadFactory("starling-io"));
            serverChannel = NioServerSocketChannel.class;
        }
        for (EventExecutor loop : workers) {
            outboxes.put(loop, new LoopOutbox(loop, backlogLimit, drops, overload));
            connections.put(loop, new LoopConnections(new ReadDeadlines(loop)));
        }
    }

    public boolean isEpoll() {
        return serverChannel == EpollServerSocketChannel.class;
    }

    /** The worker loops; public so that other Netty users (the cluster's node links) share them. */
    public EventLoopGroup workers() {
        return workers;
    }

    /** The server socket channel type that fits {@link #workers()}. */
    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    /** The client socket channel type that fits {@link #workers()} (for outgoing connections). */
    public Class<? extends io.netty.channel.socket.SocketChannel> socketChannel() {
        return isEpoll() ? io.netty.channel.epoll.EpollSocketChannel.class
                : io.netty.channel.socket.nio.NioSocketChannel.class;
    }

    LoopOutbox outboxOf(EventExecutor loop) {
        return outboxes.get(loop);
    }

    /** The outbox of every worker loop, in a stable order. */
    public java.util.List<LoopOutbox> outboxes() {
        java.util.List<LoopOutbox> all = new java.util.ArrayList<>();
        for (EventExecutor loop : workers) {
            all.add(outboxes.get(loop));
        }
        return all;
    }

    /** The open client connections of a worker loop. */
    LoopConnections connectionsOf(EventExecutor loop) {
        return connections.get(loop);
    }

    private int openConnections() {
        int open = 0;
        for (LoopConnections c : connections.values()) {
            open += c.size();
        }
        return open;
    }

    /**
     * Broker shutdown, before {@link #closeConnections()}: the wills of connected clients go out on each
     * client's loop, so that subscribers still connected receive them, as from mosquitto: those without
     * a Will Delay Interval at once, those with one ({@code delayed}) held with the other delayed wills
     * (see {@link io.starling.broker.core.protocol.Client#publishWillAtShutdown}). Waits up to two seconds.
     */
    public void publishWills(boolean delayed) {
        List<io.netty.util.concurrent.Future<?>> done = new ArrayList<>();
        connections.forEach((loop, open) -> done.add(loop.submit(
                () -> open.snapshot().forEach(h -> h.publishWillAtShutdown(delayed)))));
        for (io.netty.util.concurrent.Future<?> f : done) {
            f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /**
     * Closes every client connection: each client is first told the server is shutting down (5.0
     * DISCONNECT 0x8B) on its own loop; whatever is still open a few seconds later is closed hard.
     */
    public void closeConnections() {
        connections.forEach((loop, open) -> loop.execute(() -> open.snapshot().forEach(ClientChannelHandler::shutDown)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (openConnections() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<io.netty.util.concurrent.Future<?>> closing = new ArrayList<>();
        connections.forEach((loop, open) -> closing.add(loop.submit(() -> open.snapshot().forEach(h -> h.channel().close()))));
        for (io.netty.util.concurrent.Future<?> f : closing) {
            f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        closeConnections();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
