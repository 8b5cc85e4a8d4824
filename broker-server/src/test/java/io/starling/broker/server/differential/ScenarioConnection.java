package io.starling.broker.server.differential;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * One TCP connection of a scenario. Reads whole MQTT packets by their fixed header only, so that
 * whatever a broker sends, valid or not, is recorded as it came.
 */
final class ScenarioConnection implements AutoCloseable {
    /** What one read found. */
    sealed interface Arrival {
    }

    record PacketArrival(byte[] bytes) implements Arrival {
    }

    record Closed() implements Arrival {
    }

    record Nothing() implements Arrival {
    }

    private final Socket socket;
    private final InputStream in;
    private boolean closed;

    ScenarioConnection(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        in = socket.getInputStream();
    }

    void send(byte[] bytes) throws IOException {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (SocketException e) {
            // The broker has closed: the next read reports it, as for a client that wrote too late.
        }
    }

    /** The next packet within {@code millis}, or the close, or nothing. */
    Arrival next(long millis) throws IOException {
        if (closed) {
            return new Closed();
        }
        try {
            socket.setSoTimeout((int) Math.max(1, millis));
            int first = in.read();
            if (first < 0) {
                return closedNow();
            }
            // The rest of a packet whose first byte arrived is on its way: wait for it generously.
            socket.setSoTimeout(5000);
            ByteArrayOutputStream packet = new ByteArrayOutputStream();
            packet.write(first);
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                int b = in.read();
                if (b < 0) {
                    return closedNow();
                }
                packet.write(b);
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            byte[] body = in.readNBytes(length);
            packet.writeBytes(body); // cut short when the broker closed mid-packet: the next read says so
            return new PacketArrival(packet.toByteArray());
        } catch (SocketTimeoutException e) {
            return new Nothing();
        } catch (SocketException e) {
            return closedNow(); // a reset: the broker aborted the connection
        }
    }

    private Arrival closedNow() {
        closed = true;
        return new Closed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
