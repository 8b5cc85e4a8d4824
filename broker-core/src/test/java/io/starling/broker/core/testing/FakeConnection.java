package io.starling.broker.core.testing;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.protocol.Connection;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Publish;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Connection} in memory: it records what the broker writes and how it treats the
 * connection (flushes, close, read timeout, reading on or off), and lets a test make it unwritable.
 *
 * <p>Ownership: the broker writes a PUBLISH whose payload is the message's own buffer without a new
 * reference (the real encoder writes a retained duplicate and gives nothing back). So a recorded
 * PUBLISH holds an unpooled heap <em>copy</em> of the payload: it owes no release, and the
 * message's buffer is left to the broker. Copying also fails loudly if the broker writes a payload
 * it already released.
 *
 * <p>Writes after {@link #close()} are recorded like any other: a transport drops them silently,
 * and the broker may legitimately write to a connection whose close it has not yet been told of.
 *
 * <p>Threading: the broker calls it on the connection's loop and tests read it from theirs, so every
 * method is synchronized.
 */
public final class FakeConnection implements Connection {
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(40000);

    private final String remoteAddress = "127.0.0.1:" + NEXT_PORT.getAndIncrement();
    private final List<Packet> written = new ArrayList<>();
    private int unflushed;
    private int flushes;
    private int closes;
    private boolean writable = true;
    private boolean reading = true;
    private int readingSwitches;
    private long readTimeoutMillis = -1;
    private MqttVersion protocolVersion;
    private Runnable closeListener = () -> { };

    @Override
    public synchronized void write(Packet packet) {
        if (packet instanceof Publish p) {
            packet = new Publish(p.dup(), p.qos(), p.retain(), p.topic(), p.packetId(), p.properties(),
                    Unpooled.copiedBuffer(p.payload()));
        }
        written.add(packet);
        unflushed++;
    }

    @Override
    public synchronized void flush() {
        flushes++;
        unflushed = 0;
    }

    @Override
    public synchronized boolean isWritable() {
        return writable;
    }

    /** Records the close and then tells the listener, as a transport reports the closed channel. */
    @Override
    public void close() {
        Runnable listener;
        synchronized (this) {
            closes++;
            unflushed = 0; // a close flushes what was written first
            listener = closes == 1 ? closeListener : null;
        }
        if (listener != null) {
            listener.run();
        }
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public int localPort() {
        return 1883;
    }

    @Override
    public synchronized void setProtocolVersion(MqttVersion version) {
        this.protocolVersion = version;
    }

    @Override
    public synchronized void setReadTimeout(long millis) {
        this.readTimeoutMillis = millis;
    }

    @Override
    public synchronized void setReading(boolean reading) {
        if (reading != this.reading) {
            readingSwitches++;
        }
        this.reading = reading;
    }

    // ---- for tests ----

    /** Runs once on the first {@link #close()}, on the thread that closed (the connection's loop). */
    public synchronized void onClose(Runnable listener) {
        this.closeListener = listener;
    }

    public synchronized void setWritable(boolean writable) {
        this.writable = writable;
    }

    /** Everything written so far, oldest first. */
    public synchronized List<Packet> written() {
        return List.copyOf(written);
    }

    /** Everything written since the last call, oldest first; forgets it. */
    public synchronized List<Packet> takeWritten() {
        List<Packet> copy = List.copyOf(written);
        written.clear();
        return copy;
    }

    public synchronized int flushCount() {
        return flushes;
    }

    /** Packets written since the last flush (or close). */
    public synchronized int unflushedCount() {
        return unflushed;
    }

    public synchronized boolean isClosed() {
        return closes > 0;
    }

    public synchronized int closeCount() {
        return closes;
    }

    public synchronized boolean isReading() {
        return reading;
    }

    /** How often reading was stopped or resumed: each costs the transport a system call. */
    public synchronized int readingSwitches() {
        return readingSwitches;
    }

    /** The last read timeout set, or -1 when none was. */
    public synchronized long readTimeoutMillis() {
        return readTimeoutMillis;
    }

    public synchronized MqttVersion protocolVersion() {
        return protocolVersion;
    }
}
