package io.starling.broker.core.testing;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.session.SessionLink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A connection that is always writable and records the first payload byte of each PUBLISH sent to
 * it: tests number their messages that way and check what arrived, in order. Any thread.
 */
public final class NumberingLink implements SessionLink {
    private final List<Integer> received = new CopyOnWriteArrayList<>();

    /** The numbers of the messages sent so far, in the order they were sent. */
    public List<Integer> received() {
        return received;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public boolean sendPublish(Delivery d, int packetId, boolean dup) {
        received.add(d.message().payload().getByte(0) & 0xFF);
        return true;
    }

    @Override
    public void sendPubRel(int packetId) {
    }

    @Override
    public int receiveMaximum() {
        return 65535;
    }
}
