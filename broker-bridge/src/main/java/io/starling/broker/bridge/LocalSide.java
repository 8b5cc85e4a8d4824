package io.starling.broker.bridge;

import io.starling.broker.core.protocol.Connection;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;

/**
 * The bridge's connection to this broker, without a socket: the core's client of the bridge writes its packets
 * here and the bridge passes them on to the remote broker. One per local connection of the bridge; called on the
 * bridge's event loop only.
 */
final class LocalSide implements Connection {
    private final Bridge bridge;
    private boolean closed;

    LocalSide(Bridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public void write(Packet packet) {
        if (!closed) { // the packet stays the caller's: a delivery's payload is the message's
            bridge.fromLocal(this, packet);
        }
    }

    @Override
    public void flush() {
        if (!closed) {
            bridge.flushRemote();
        }
    }

    @Override
    public boolean isWritable() {
        return bridge.remoteWritable();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bridge.localClosed(this);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** The bridge let go of this side (the remote connection ended): nothing more goes anywhere. */
    void detach() {
        closed = true;
    }

    @Override
    public String remoteAddress() {
        return "bridge " + bridge.name();
    }

    @Override
    public int localPort() {
        return 0;
    }

    @Override
    public void setProtocolVersion(MqttVersion version) {
    }

    @Override
    public void setReadTimeout(long millis) {
        // The local side has no keepalive: it ends with the bridge's remote connection.
    }

    @Override
    public void setReading(boolean reading) {
        bridge.readRemote(reading);
    }

    @Override
    public boolean trusted() {
        return true;
    }
}
