package io.starling.broker.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * The open MQTT connections of one event loop, for shutdown, with their {@link ReadDeadlines}: a list linked through the connections'
 * handlers, so that a connection costs two references here rather than an entry in a concurrent map
 * (a {@code ChannelGroup} took 45 bytes per connection; issue 8). Changed and walked on the loop only;
 * {@link #size()} may be read from any thread.
 */
final class LoopConnections {
    private final ReadDeadlines deadlines;
    private ClientChannelHandler first;
    private volatile int size;

    LoopConnections(ReadDeadlines deadlines) {
        this.deadlines = deadlines;
    }

    /** The read deadlines of the same connections. */
    ReadDeadlines deadlines() {
        return deadlines;
    }

    void add(ClientChannelHandler handler) {
        handler.previous = null;
        handler.next = first;
        if (first != null) {
            first.previous = handler;
        }
        first = handler;
        size++;
    }

    /** Takes the handler out; one that is not in the list is left alone. */
    void remove(ClientChannelHandler handler) {
        if (handler.previous == null && first != handler) {
            return;
        }
        if (handler.previous != null) {
            handler.previous.next = handler.next;
        } else {
            first = handler.next;
        }
        if (handler.next != null) {
            handler.next.previous = handler.previous;
        }
        handler.previous = null;
        handler.next = null;
        size--;
    }

    /** The handlers, copied: telling one to shut down may take it out of the list. */
    List<ClientChannelHandler> snapshot() {
        List<ClientChannelHandler> all = new ArrayList<>(size);
        for (ClientChannelHandler h = first; h != null; h = h.next) {
            all.add(h);
        }
        return all;
    }

    int size() {
        return size;
    }
}
