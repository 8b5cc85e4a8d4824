package io.starling.broker.core.control;

import io.starling.broker.core.auth.ClientIdentity;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Topics under {@code $CONTROL/} are requests to the broker itself (Mosquitto 2.0's MOSQ_EVT_CONTROL, used
 * by its dynamic security plugin on {@code $CONTROL/dynamic-security/v1}). A PUBLISH there, once the ACL
 * has let it through, goes to the handler registered for its exact topic and is never routed to
 * subscribers; one to a topic without a handler is dropped, as mosquitto drops it. Handlers answer by
 * publishing (on {@code <topic>/response}) themselves. Thread-safe: registered at start-up, read from
 * every event loop.
 */
public final class ControlTopics {
    /** The prefix of every control topic. */
    public static final String PREFIX = "$CONTROL/";

    /** Takes one request, on the publisher's event loop. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @param sender  who published it (ACL checked already)
         * @param payload a copy of the PUBLISH payload, the handler's to keep
         * @return what to do once the request is acknowledged (publish the answer: mosquitto sends the
         *         PUBACK first), or null
         */
        Runnable handle(ClientIdentity sender, byte[] payload);
    }

    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();

    /** Whether {@code topic} (after any mount point) is a control topic, handled or not. */
    public static boolean isControl(String topic) {
        return topic.startsWith(PREFIX);
    }

    public void register(String topic, Handler handler) {
        if (!isControl(topic)) {
            throw new IllegalArgumentException("not a $CONTROL/ topic: " + topic);
        }
        if (handlers.putIfAbsent(topic, handler) != null) {
            throw new IllegalStateException("a handler for " + topic + " is registered already");
        }
    }

    public void unregister(String topic) {
        handlers.remove(topic);
    }

    /** Passes a request to its topic's handler; returns what to run after the acknowledgement, or null. */
    public Runnable dispatch(ClientIdentity sender, String topic, byte[] payload) {
        Handler handler = handlers.get(topic);
        return handler == null ? null : handler.handle(sender, payload);
    }
}
