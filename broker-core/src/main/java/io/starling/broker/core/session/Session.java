package io.starling.broker.core.session;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.DropCounters;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.MessageQueue;
import io.starling.broker.core.topic.SubscriptionTree;
import io.starling.mqtt.codec.QoS;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state the broker keeps for one client id: subscriptions, outgoing messages inflight and
 * queued, and the ids of incoming QoS 2 messages awaiting PUBREL. It outlives connections when the
 * client asked for a persistent session.
 *
 * <p>Threading: a session is owned by one event loop, its {@link #owner()}: the loop of the
 * connection it is attached to, or of the last one. All state is touched only there. A takeover
 * moves ownership to the new connection's loop: the old owner writes {@code owner} and then hands
 * the session on; work that arrives at the old loop afterwards sees the new owner and is forwarded.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final String clientId;
    private final BrokerSettings settings;
    private final DropCounters drops;
    private final SubscriptionTree<Session, SubscriberOptions> tree;
    private final MessageQueue queue;
    private final InflightWindow inflight = new InflightWindow();
    private final Set<Integer> awaitingPubRel = new HashSet<>();
    private final Map<String, SubscriberOptions> subscriptions = new HashMap<>();
    private volatile LoopOutbox owner;
    private SessionLink link;
    private boolean persistent;
    private volatile boolean ended;

    public Session(String clientId, LoopOutbox owner, BrokerSettings settings, DropCounters drops,
                   SubscriptionTree<Session, SubscriberOptions> tree, MessageQueue queue) {
        this.clientId = clientId;
        this.owner = owner;
        this.settings = settings;
        this.drops = drops;
        this.tree = tree;
        this.queue = queue;
    }

    public String clientId() {
        return clientId;
    }

    public LoopOutbox owner() {
        return owner;
    }

    /** Moves the session to another loop; called on the current owner, which then hands it over. */
    public void moveTo(LoopOutbox next) {
        owner = next;
    }

    public boolean isEnded() {
        return ended;
    }

    public boolean isPersistent() {
        return persistent;
    }

    public void setPersistent(boolean persistent) {
        this.persistent = persistent;
    }

    public boolean isOnline() {
        return link != null;
    }

    public SessionLink link() {
        return link;
    }

    /** Attaches a connection and re-sends what it had not acknowledged (MQTT-4.4.0-1), then the queue. */
    public void attach(SessionLink next) {
        link = next;
        for (InflightWindow.Entry e : inflight.entries()) {
            if (e.stage() == InflightWindow.Stage.AWAITING_PUBCOMP) {
                next.sendPubRel(e.packetId());
            } else {
                next.sendPublish(e.delivery(), e.packetId(), true);
            }
        }
        drainQueue();
    }

    public void detach() {
        link = null;
    }

    // ---- subscriptions ----

    /** Adds or replaces a subscription; returns true when it replaced one for the same filter. */
    public boolean subscribe(String filter, SubscriberOptions options) {
        subscriptions.put(filter, options);
        return tree.subscribe(filter, this, options) != null;
    }

    public boolean unsubscribe(String filter) {
        subscriptions.remove(filter);
        return tree.unsubscribe(filter, this);
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    // ---- outgoing messages ----

    /** Takes a delivery routed to this session (and its message reference). */
    public void deliver(Delivery delivery) {
        LoopOutbox current = owner;
        if (!current.inLoop()) {
            current.deliver(this, delivery); // the session moved since the delivery was addressed
            return;
        }
        if (ended) {
            delivery.message().release();
            return;
        }
        if (delivery.qos() == QoS.AT_MOST_ONCE) {
            deliverQos0(delivery);
        } else if (link != null && queue.size() == 0 && inflight.size() < settings.inflightLimit()) {
            sendInflight(delivery);
        } else {
            enqueue(delivery);
        }
    }

    private void deliverQos0(Delivery delivery) {
        if (link == null) {
            if (persistent && settings.queueQos0Messages()) {
                enqueue(delivery);
                return;
            }
            drops.offlineQos0.increment();
        } else if (link.isWritable()) {
            link.sendPublish(delivery, 0, false);
        } else {
            drops.notWritable.increment();
            DropLog.warn(LOG, "Outgoing QoS 0 message on {} to {} dropped: client not reading fast enough",
                    delivery.message().topic(), clientId);
        }
        delivery.message().release();
    }

    private void enqueue(Delivery delivery) {
        boolean full = settings.maxQueuedMessages() > 0 && queue.size() >= settings.maxQueuedMessages()
                || settings.maxQueuedBytes() > 0
                && queue.bytes() + delivery.message().payloadSize() > settings.maxQueuedBytes();
        if (full) {
            drops.queueFull.increment();
            DropLog.warn(LOG, "Outgoing message on {} to {} dropped: queue full ({} messages)",
                    delivery.message().topic(), clientId, queue.size());
            delivery.message().release();
            return;
        }
        queue.add(delivery);
    }

    private void sendInflight(Delivery delivery) {
        InflightWindow.Stage stage = delivery.qos() == QoS.AT_LEAST_ONCE
                ? InflightWindow.Stage.AWAITING_PUBACK : InflightWindow.Stage.AWAITING_PUBREC;
        InflightWindow.Entry e = inflight.add(delivery, stage);
        if (!link.sendPublish(delivery, e.packetId(), false)) {
            inflight.remove(e.packetId());
        }
    }

    /** Moves queued messages into the inflight window while it has room and a client is attached. */
    private void drainQueue() {
        while (link != null && inflight.size() < settings.inflightLimit()) {
            Delivery d = queue.poll();
            if (d == null) {
                return;
            }
            if (d.qos() == QoS.AT_MOST_ONCE) {
                deliverQos0(d);
            } else {
                sendInflight(d);
            }
        }
    }

    /** PUBACK from the client; false when no QoS 1 message with that id is inflight. */
    public boolean onPubAck(int packetId) {
        InflightWindow.Entry e = inflight.get(packetId);
        if (e == null || e.stage() != InflightWindow.Stage.AWAITING_PUBACK) {
            return false;
        }
        inflight.remove(packetId);
        drainQueue();
        return true;
    }

    /** PUBREC from the client; false when no QoS 2 message with that id is inflight. */
    public boolean onPubRec(int packetId) {
        return inflight.received(packetId);
    }

    /** PUBCOMP from the client; false when no PUBREL with that id was outstanding. */
    public boolean onPubComp(int packetId) {
        InflightWindow.Entry e = inflight.get(packetId);
        if (e == null || e.stage() != InflightWindow.Stage.AWAITING_PUBCOMP) {
            return false;
        }
        inflight.remove(packetId);
        drainQueue();
        return true;
    }

    public int inflightCount() {
        return inflight.size();
    }

    public int queuedCount() {
        return queue.size();
    }

    // ---- incoming QoS 2 ----

    /** Records an incoming QoS 2 packet id; false when it is already awaiting PUBREL (a resend). */
    public boolean beginIncomingQos2(int packetId) {
        return awaitingPubRel.add(packetId);
    }

    public int incomingQos2Count() {
        return awaitingPubRel.size();
    }

    /** PUBREL: the incoming QoS 2 flow ends; false when the id was unknown. */
    public boolean endIncomingQos2(int packetId) {
        return awaitingPubRel.remove(packetId);
    }

    // ---- lifetime ----

    /** Forgets all state: subscriptions, messages, packet ids. Used by a clean start and at the end. */
    public void clear() {
        for (String filter : subscriptions.keySet()) {
            tree.unsubscribe(filter, this);
        }
        subscriptions.clear();
        inflight.clear();
        queue.clear();
        awaitingPubRel.clear();
    }

    /** Ends the session for good; deliveries still on their way are released on arrival. */
    public void end() {
        ended = true;
        link = null;
        clear();
    }
}
