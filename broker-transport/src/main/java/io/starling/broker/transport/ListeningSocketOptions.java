package io.starling.broker.transport;

import io.netty.channel.unix.IntegerUnixChannelOption;

/**
 * Socket options set on an epoll listening socket so that the sockets it accepts inherit them: Linux
 * copies a listener's TCP_NODELAY, SO_KEEPALIVE and keepalive timing to each accepted socket, while
 * Netty's own options for these exist only for accepted channels, one system call each per connection.
 * The numbers are Linux's ({@code <netinet/tcp.h>}, {@code <asm-generic/socket.h>}), the only system with epoll.
 */
final class ListeningSocketOptions {
    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_TCP = 6;

    static final IntegerUnixChannelOption TCP_NODELAY = new IntegerUnixChannelOption("LISTENER_TCP_NODELAY", IPPROTO_TCP, 1);
    static final IntegerUnixChannelOption SO_KEEPALIVE = new IntegerUnixChannelOption("LISTENER_SO_KEEPALIVE", SOL_SOCKET, 9);
    static final IntegerUnixChannelOption TCP_KEEPIDLE = new IntegerUnixChannelOption("LISTENER_TCP_KEEPIDLE", IPPROTO_TCP, 4);
    static final IntegerUnixChannelOption TCP_KEEPINTVL = new IntegerUnixChannelOption("LISTENER_TCP_KEEPINTVL", IPPROTO_TCP, 5);
    static final IntegerUnixChannelOption TCP_KEEPCNT = new IntegerUnixChannelOption("LISTENER_TCP_KEEPCNT", IPPROTO_TCP, 6);

    private ListeningSocketOptions() {
    }
}
