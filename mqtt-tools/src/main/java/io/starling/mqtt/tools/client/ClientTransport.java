package io.starling.mqtt.tools.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Which socket channel and loops the client uses: Linux epoll when its native library loads, Java NIO
 * otherwise. The shared default group is made on first use with daemon threads (one per core), so a
 * command-line tool ends when its main thread does; it is never shut down.
 */
public final class ClientTransport {
    private ClientTransport() {
    }

    private static final class Shared {
        static final EventLoopGroup GROUP = newGroup(0);
    }

    static EventLoopGroup defaultGroup() {
        return Shared.GROUP;
    }

    /** A new group of {@code threads} loops (0: Netty's default, twice the cores), daemon threads. */
    public static EventLoopGroup newGroup(int threads) {
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("starling-client", true);
        return Epoll.isAvailable() ? new EpollEventLoopGroup(threads, threadFactory)
                : new NioEventLoopGroup(threads, threadFactory);
    }

    /** The socket channel type that runs on {@code group}'s loops. */
    static Class<? extends SocketChannel> channelType(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
