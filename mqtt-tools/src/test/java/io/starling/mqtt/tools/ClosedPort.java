package io.starling.mqtt.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port that refuses connections for as long as this object is open.
 *
 * <p>A port from a closed {@code ServerSocket} can be taken by anything meanwhile, and a client connecting to an
 * unused ephemeral port can even be connected to itself (TCP simultaneous open), which a CI run once showed as
 * "connection closed by the server" instead of "Connection refused". A socket bound to the port but never
 * listening keeps it out of everyone's hands, and the kernel answers a SYN to it with a reset.
 */
public final class ClosedPort implements AutoCloseable {
    private final Socket holder = new Socket();

    public ClosedPort() throws IOException {
        holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public int port() {
        return holder.getLocalPort();
    }

    public String text() {
        return Integer.toString(port());
    }

    @Override
    public void close() throws IOException {
        holder.close();
    }
}
