package io.starling.broker.core.session;

import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.SecurityRules;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.routing.ShareGroup;
import io.starling.broker.core.routing.Subscriber;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.sys.Counter;
import io.starling.mqtt.codec.QoS;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state the broker keeps for one client id: subscriptions, outgoing messages inflight and
 * queued ({@link OutgoingMessages}), and incoming QoS 2 messages awaiting PUBREL ({@link IncomingMessages}).
 * It outlives connections when the client asked for a persistent session.
 *
 * <p>Threading: a session is owned by one event loop, its {@link #owner()}: the loop of the
 * connection it is attached to, or of the last one. All state is touched only there. A takeover
 * moves ownership to the new connection's loop: the old owner writes {@code owner} and then hands
 * the session on; work that arrives at the old loop afterwards sees the new owner and is forwarded.
 *
 * <p>Lifetime: a session lives on after its connection for its expiry interval (MQTT 5 Session
 * Expiry Interval; for 3.1.1, 0 with a clean session and "never" without). Timers for its expiry and
 * for a delayed will run on the owner loop and are cancelled when a connection attaches.
 *
 * <p>Memory: an idle session needs no subscription map, timers, inflight map or queue yet (issue 8:
 * heap per idle connection). Each is made on first use by one accessor, and read paths treat a
 * missing one as empty.
 */
public final class Session implements Subscriber {
    private static final java.lang.invoke.VarHandle IDS_TAKEN;

    static {
        try {
            IDS_TAKEN = java.lang.invoke.MethodHandles.lookup().findVarHandle(Session.class, "idsTaken", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String clientId;
    /** The broker-wide tree, share groups and counters: one reference, not one each (issue 16: heap per connection). */
    private final SessionContext context;
    /** What it sends; null until the first message is sent, queued or restored (issue 16: most idle sessions never have one). */
    private OutgoingMessages outgoing;
    /** The attached connection, or null while offline. */
    private SessionLink link;
    /** Whether a message sent now would go out at once; read by share groups on other loops. */
    private volatile boolean canTakeMessageNow;
    /**
     * How many packet ids the session has taken, the last being {@link #idOf}(idsTaken); advanced
     * through {@link #IDS_TAKEN} on any thread (a plain field: no AtomicLong per session, issue 8).
     */
    private volatile long idsTaken;
    /** Incoming QoS 2 messages awaiting PUBREL; null while there are none (most sessions never have one). */
    private IncomingMessages awaitingPubRel;
    /** Topic filter to options; null while there are none. */
    private Map<String, SubscriberOptions> subscriptions;
    /**
     * The subscription tree's generation after this session's last UNSUBSCRIBE (0: none yet): a
     * delivery matched before it may come through a subscription that is gone. Owner loop only.
     */
    private long unsubscribedAt;
    private volatile LoopOutbox owner;
    /** Set on a move until the old loop has forwarded what was queued there; read and cleared on the new owner. */
    private boolean inTransit;
    /** Queue QoS 0 while offline whatever queue_qos0_messages says: a lazy bridge's session (start_type lazy). */
    private boolean queuesQos0Offline;
    /** Deliveries routed to the new owner while in transit, in order; null when none. */
    private java.util.ArrayDeque<Delivery> heldInTransit;
    private volatile long expiryIntervalSeconds;
    private final SessionJournal journal;
    /** Null until a timer is first started. */
    private SessionTimers timers;
    private volatile boolean ended;
    /** Who the session belongs to, for ACL checks made on other loops when routing to it. */
    private volatile ClientIdentity identity;
    private volatile SecurityRules security;
    /** The port of the listener the session last connected through (0: unknown); kept in the store. */
    private volatile int listenerPort;
    /** The last connection spoke MQTT 5: read by routers on any loop (see {@link #getsCopyPerSubscription}). */
    private volatile boolean mqtt5;
    /** When its connection went (wall clock), 0 while connected: as last written to the store. */
    private long offlineSinceMillis;
    /** The last packet id taken as last written to the store, which a shutdown brings up to date. */
    private int savedPacketId;
    /** The cluster's token of the claim of this id by the connection that last took the session (see {@link ClientIdClaims}). */
    private long claimToken = ClientIdClaims.NO_TOKEN;

    /** Session Expiry Interval meaning "never expires" (MQTT 5 §3.1.2.11.2). */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    public Session(String clientId, LoopOutbox owner, SessionContext context) {
        this.clientId = clientId;
        this.owner = owner;
        this.context = context;
        this.journal = SessionJournal.of(clientId, context.store());
    }

    /** What the session sends, made on first use; owner loop only. */
    private OutgoingMessages outgoing() {
        if (outgoing == null) {
            outgoing = new OutgoingMessages(this, context, journal);
        }
        return outgoing;
    }

    // ---- packet ids ----

    /**
     * Takes the session's next packet id for a QoS 1/2 message queued for it, as mosquitto's
     * per-client counter does (issue 15, measured with 2.0.11): one more each time, 65535 followed by
     * 1. Taken when the message is routed to the session (or a retained one is sent on subscribe) and
     * kept by the message even if it is dropped later (expired, refused by the ACL, too large, queue
     * full), so that later ids show the gap. Any thread: publishers route on their own loops.
     */
    int takePacketId() {
        return idOf((long) IDS_TAKEN.getAndAdd(this, 1L) + 1);
    }

    /** The last packet id taken, 0 when none yet: kept with the session in the store. */
    private int lastPacketId() {
        long taken = idsTaken;
        return taken == 0 ? 0 : idOf(taken);
    }

    /** A message read back from the store had {@code id} (0: none): the counter goes on after it if it is newer. */
    void packetIdRestored(int id) {
        if (id != 0 && isAfter(id, lastPacketId())) {
            idsTaken = id;
        }
    }

    /** The {@code n}th packet id taken (n from 1): 1 to 65535, then 1 again. */
    private static int idOf(long n) {
        return (int) ((n - 1) % 0xFFFF) + 1;
    }

    /** Whether {@code id} was taken after {@code last} (0: none yet), the counter going round (RFC 1982). */
    private static boolean isAfter(int id, int last) {
        int ahead = Math.floorMod(id - last, 0xFFFF);
        return last == 0 || ahead != 0 && ahead < 0x8000;
    }

    void setCanTakeMessageNow(boolean now) {
        if (now != canTakeMessageNow) {
            canTakeMessageNow = now;
        }
    }

    public String clientId() {
        return clientId;
    }

    public LoopOutbox owner() {
        return owner;
    }

    /** The client id and user name of the connection that last attached. */
    public ClientIdentity identity() {
        return identity;
    }

    public void setIdentity(ClientIdentity identity) {
        this.identity = identity;
    }

    /**
     * Whether a message matching several of this session's subscriptions goes out once per
     * subscription, as mosquitto 2.0 sends it to an MQTT 5 client (MQTT 5 §3.3.4 allows either), or
     * once at the highest QoS, as MQTT 3.1.1 requires (MQTT-3.3.5-1).
     */
    public boolean getsCopyPerSubscription() {
        return mqtt5;
    }

    /** Set when a client attaches: its protocol decides {@link #getsCopyPerSubscription}. */
    public void setMqtt5(boolean mqtt5) {
        this.mqtt5 = mqtt5;
    }

    /**
     * The ACL that decides what this session may read: that of the listener it last connected through,
     * also while offline and after a restart (the store keeps the listener's port).
     */
    public SecurityRules security() {
        return security;
    }

    /** @param listenerPort the port of the listener the rules belong to; 0 when unknown */
    public void setSecurity(SecurityRules security, int listenerPort) {
        this.security = security;
        this.listenerPort = listenerPort;
    }

    /**
     * Whether the session's ACL lets it read a message on {@code topic}. Asked when a message is
     * routed, and again when a message that waited (queued, or inflight from an earlier connection) is
     * sent, since the rules may have changed meanwhile (reload, restart). Any thread.
     */
    public boolean mayRead(String topic) {
        SecurityRules rules = security;
        if (rules == null) {
            return true;
        }
        Authorizer authorizer = rules.authorizer();
        return authorizer == Authorizer.ALLOW_ALL || authorizer.canRead(identity, topic) != Authorizer.Access.DENY;
    }

    /**
     * Moves the session to another loop; called on the current owner, which then hands it over.
     *
     * <p>Deliveries already queued on this loop for the session are forwarded to {@code next} when
     * this loop takes them, which may be after {@code next} got newer ones routed to it directly: one
     * publisher's messages would then arrive out of order (issue 14). So until this loop has taken
     * everything queued here before the move (a marker queued behind it says so), the new loop holds
     * the deliveries routed to it directly ({@link #inTransit}) and passes the forwarded ones. A
     * publisher that read the old owner just before the move and queues here just after its marker
     * (a preempted thread between the two) can still overtake; that window is one queue insertion.
     */
    public void moveTo(LoopOutbox next) {
        moveTo(next, () -> { });
    }

    /**
     * {@link #moveTo(LoopOutbox)}, then runs {@code arrived} on {@code next} once the move is over: a
     * takeover's CONNACK waits for it, so that nothing the new connection publishes to itself is held
     * behind its own PUBACK, as it never is in mosquitto.
     */
    public void moveTo(LoopOutbox next, Runnable arrived) {
        LoopOutbox previous = owner;
        inTransit = true; // published to the next loop by the volatile write of owner
        owner = next;
        previous.submit(() -> next.submit(() -> {
            endTransit();
            arrived.run();
        }));
    }

    /** On the new owner: what was queued on the old one has been forwarded; release what waited for it. */
    private void endTransit() {
        inTransit = false;
        Delivery d;
        while (heldInTransit != null && (d = heldInTransit.poll()) != null) {
            deliverForwarded(d);
        }
        heldInTransit = null;
    }

    public boolean isEnded() {
        return ended;
    }

    /** Owner loop only: QoS 0 messages queue while this session is offline, as for a lazy bridge's (mosquitto). */
    public void queueQos0WhileOffline(boolean queue) {
        queuesQos0Offline = queue;
    }

    boolean queuesQos0WhileOffline() {
        return queuesQos0Offline;
    }

    /** Whether the session outlives its connection (a non-zero expiry interval). */
    public boolean isPersistent() {
        return expiryIntervalSeconds != 0;
    }


    /** Owner loop only. */
    public long claimToken() {
        return claimToken;
    }

    /** Owner loop only: set when a connection takes the session. */
    public void setClaimToken(long token) {
        this.claimToken = token;
    }

    public long expiryInterval() {
        return expiryIntervalSeconds;
    }

    /** Sets the Session Expiry Interval in seconds ({@link #NEVER_EXPIRES} for never). */
    public void setExpiryInterval(long seconds) {
        this.expiryIntervalSeconds = seconds;
    }

    /**
     * Starts the expiry timer of a session whose connection is gone; {@code onExpiry} runs on the
     * owner loop unless a connection attaches first.
     */
    public void startExpiryTimer(Runnable onExpiry) {
        startExpiryTimer(expiryIntervalSeconds, onExpiry);
    }

    /** As {@link #startExpiryTimer(Runnable)}, with the time left (a session restored at start-up). */
    public void startExpiryTimer(long seconds, Runnable onExpiry) {
        if (expiryIntervalSeconds == NEVER_EXPIRES || expiryIntervalSeconds == 0) {
            return;
        }
        timers().startExpiry(this, seconds, () -> link == null && !ended, onExpiry);
    }

    /**
     * Holds a will for {@code delaySeconds} (MQTT 5 Will Delay Interval): it is published then, or when
     * the session ends if that is sooner, and never if a connection attaches first.
     */
    public void delayWill(long delaySeconds, Runnable publish) {
        timers().delayWill(this, delaySeconds, () -> link == null, () -> {
            journal.willGone();
            publish.run();
        });
    }

    /** Keeps a delayed will in the store too, so that a restart still publishes it; the store copies it. */
    public void storeDelayedWill(io.starling.broker.core.routing.Message will, long publishAtMillis) {
        journal.willDelayed(will, publishAtMillis);
    }

    /**
     * The will held back by its delay, as {@code (due, heldSince)} in epoch millis, or null when none is;
     * call on the owner loop.
     */
    public long[] heldWillTimes() {
        return timers != null && timers.hasPendingWill() ? new long[] {timers.willDue(), timers.willHeldSince()} : null;
    }

    /** Publishes a will still held back by its delay; used when the session ends first. */
    public void firePendingWill() {
        if (timers != null) {
            timers.firePendingWill();
        }
    }

    /** Drops a will still held back by its delay, unsent (a connection for the client id came in time). */
    public void discardPendingWill() {
        if (timers != null && timers.hasPendingWill()) {
            journal.willGone();
            timers.discardWill();
        }
    }

    private void cancelTimers() {
        if (timers != null) {
            timers.cancel();
        }
    }

    private SessionTimers timers() {
        if (timers == null) {
            timers = new SessionTimers();
        }
        return timers;
    }

    public boolean isOnline() {
        return link != null;
    }

    public SessionLink link() {
        return link;
    }

    /** Attaches a connection and re-sends what it had not acknowledged (MQTT-4.4.0-1), then the queue. */
    public void attach(SessionLink next) {
        if (timers != null && timers.hasPendingWill()) {
            journal.willGone(); // a connection came back within the will delay: no will (MQTT-3.1.3-9)
        }
        cancelTimers();
        link = next;
        if (outgoing != null) {
            outgoing.attach();
        } else {
            setCanTakeMessageNow(OutgoingMessages.inflightLimit(context, next) > 0); // an empty window
        }
    }

    public void detach() {
        link = null;
        if (outgoing != null) {
            outgoing.detach();
        }
        setCanTakeMessageNow(false);
    }

    // ---- the store ----

    /**
     * A delivery addressed to this session, before it is handed to the session's loop: a QoS 1/2 one
     * takes the session's next packet id (kept even if it is dropped later, as mosquitto does) and, if
     * the session is on disk, is stored; returns it with its id and its place in the stored queue. Any thread.
     */
    public Delivery stored(Delivery d) {
        if (d.qos() != QoS.AT_MOST_ONCE && d.packetId() == 0) {
            d = d.withPacketId(takePacketId());
        }
        return journal.record(d);
    }


    /**
     * Brings the store up to date after a connection attached ({@code online}) or went: a persistent
     * session is written (with when it went offline, so expiry counts across restarts); a session that
     * is no longer persistent is deleted.
     */
    public void saveHeader(boolean online) {
        if (!isPersistent()) {
            journal.forget();
            return;
        }
        offlineSinceMillis = online ? 0 : System.currentTimeMillis();
        writeHeader();
    }

    private void writeHeader() {
        ClientIdentity id = identity;
        savedPacketId = lastPacketId();
        journal.save(new StoredSession(clientId, id == null ? null : id.username(), expiryIntervalSeconds,
                offlineSinceMillis, listenerPort, savedPacketId), subscriptions == null ? Map.of() : subscriptions);
    }

    /** Puts back a session read from the store at start-up; runs on the owner loop before clients connect. */
    public void restore(StoredState.RestoredSession stored) {
        restoreSubscriptions(stored.subscriptions());
        restoreMessages(stored.header(), stored.outgoing(), stored.incomingQos2());
    }

    private void restoreSubscriptions(Map<String, SubscriberOptions> stored) {
        stored.forEach((filter, options) -> {
            if (subscriptions().put(filter, options) == null) {
                countSubscription(filter, 1);
            }
            TopicFilter.Shared share = TopicFilter.parseShared(filter);
            if (share != null) {
                context.shared().subscribe(share.group(), share.filter(), this, options);
            } else {
                context.tree().subscribe(filter, this, options);
            }
        });
    }

    /** After {@link #restoreSubscriptions}: the deliveries' share groups are found among this node's. */
    private void restoreMessages(StoredSession header, List<StoredState.Outgoing> stored,
                                 Map<Integer, io.starling.broker.core.routing.Message> incomingQos2) {
        offlineSinceMillis = header.disconnectedAtMillis();
        savedPacketId = header.lastPacketId();
        idsTaken = savedPacketId; // goes on counting from there
        long lastSeq = 0;
        for (StoredState.Outgoing o : stored) {
            lastSeq = Math.max(lastSeq, o.seq());
            outgoing().restore(new StoredState.Outgoing(o.seq(), withShareGroup(o), o.packetId(), o.share()));
        }
        incomingQos2.forEach((id, message) -> incoming().restore(id, message));
        journal.restored(lastSeq);
    }

    /**
     * The delivery of {@code o} with the group object of the shared subscription it came through, so that
     * it is handed on to another member when this session ends, as it would have been where it was queued.
     * None when this session is no longer a member (the group may be gone): it is then kept as any other.
     */
    private Delivery withShareGroup(StoredState.Outgoing o) {
        Delivery d = o.delivery();
        if (d == null || d.share() != null || o.share() == null) {
            return d;
        }
        TopicFilter.Shared share = TopicFilter.parseShared(o.share());
        if (share == null || subscriptions == null || !subscriptions.containsKey(o.share())) {
            return d;
        }
        ShareGroup group = context.shared().find(share.group(), share.filter());
        return group == null ? d : d.withShare(group);
    }

    // ---- moving to another node (a cluster's session takeover) ----

    /**
     * Takes the session's state out for another node that took its client id over: subscriptions with
     * their options, the inflight window with its packet ids and stages, the queue, the incoming QoS 2
     * ids awaiting PUBREL, the expiry interval and the packet id counter, as the store would keep them
     * (no will: a delayed one is discarded; the connection's own goes beside, see SessionHandOver). The
     * message references go with the value. The
     * session is left empty, still registered: end it afterwards. Owner loop only.
     */
    public StoredState.RestoredSession handOver() {
        ClientIdentity id = identity;
        int lastPacketId = lastPacketId();
        java.util.List<StoredState.Outgoing> out = outgoing == null ? new java.util.ArrayList<>() : outgoing.handOver();
        Map<Integer, io.starling.broker.core.routing.Message> in = awaitingPubRel == null ? Map.of() : awaitingPubRel.handOver();
        Map<String, SubscriberOptions> subs = subscriptions == null ? Map.of() : Map.copyOf(subscriptions);
        return new StoredState.RestoredSession(new StoredSession(clientId, id == null ? null : id.username(),
                expiryIntervalSeconds, offlineSinceMillis, listenerPort, lastPacketId), subs, out, in, null, 0);
    }

    /**
     * Takes in the state another node {@link #handOver handed over} (and its message references) as
     * {@link #restore} puts back a stored one, and, with a store, writes it there as this session's own:
     * subscriptions, queued and inflight messages (with their packet ids and stages) and incoming QoS 2
     * messages. The header follows when the connection's CONNACK saves it. Owner loop only, on a new,
     * empty session before a connection attaches.
     */
    public void adopt(StoredState.RestoredSession moved) {
        expiryIntervalSeconds = moved.header().expiryIntervalSeconds();
        restoreSubscriptions(moved.subscriptions()); // first: the deliveries' share groups are found among them
        journal.restored(0); // with a store: written from here on, its queue numbered from 1
        java.util.List<StoredState.Outgoing> outgoing = new java.util.ArrayList<>(moved.outgoing().size());
        for (StoredState.Outgoing o : moved.outgoing()) {
            Delivery d = withShareGroup(o);
            if (d == null) {
                long seq = journal.record(null, o.packetId());
                outgoing.add(new StoredState.Outgoing(seq, null, o.packetId()));
                continue;
            }
            d = journal.record(d);
            if (o.isInflight()) {
                journal.sent(d, o.packetId());
            }
            outgoing.add(new StoredState.Outgoing(d.storeSeq(), d, o.packetId()));
        }
        moved.subscriptions().forEach(journal::subscribed);
        moved.incomingQos2().forEach(journal::incomingQos2);
        restoreMessages(moved.header(), outgoing, moved.incomingQos2());
    }

    // ---- subscriptions ----

    /** Adds or replaces a subscription; returns true when it replaced one for the same filter. */
    public boolean subscribe(String filter, SubscriberOptions options) {
        if (subscriptions().put(filter, options) == null) {
            countSubscription(filter, 1);
        }
        journal.subscribed(filter, options);
        TopicFilter.Shared share = TopicFilter.parseShared(filter);
        if (share != null) {
            return context.shared().subscribe(share.group(), share.filter(), this, options);
        }
        return context.tree().subscribe(filter, this, options) != null;
    }

    public boolean unsubscribe(String filter) {
        if (subscriptions != null && subscriptions.remove(filter) != null) {
            countSubscription(filter, -1);
        }
        journal.unsubscribed(filter);
        boolean removed = removeFromTree(filter);
        if (removed) {
            // After the removal: a match that could still see the subscription has a lower generation.
            unsubscribedAt = TopicFilter.isShared(filter) ? context.tree().touch() : context.tree().generation();
        }
        return removed;
    }

    /**
     * Whether a delivery routed before this session's last UNSUBSCRIBE has lost every subscription it
     * could come through: then it is not sent, as mosquitto, whose single thread finishes routing a
     * message before it reads the UNSUBSCRIBE, never sends one matched by a removed subscription
     * after the UNSUBACK (issue 15). Messages already queued here before the UNSUBSCRIBE stay, as in
     * mosquitto. A copy per subscription (MQTT 5) has one subscription to come through: its own
     * ({@link Delivery#subscription()}); a copy whose filter was subscribed to again since its match
     * (new options) counts as gone too, as mosquitto would have sent it before that SUBACK.
     */
    private boolean subscriptionGone(Delivery d) {
        if (d.matchedAt() >= unsubscribedAt) {
            return false;
        }
        if (subscriptions == null) {
            return true;
        }
        if (d.subscription() != null) {
            // A copy per subscription (MQTT 5): the one it came through must still be there, whichever
            // others match. The very options object: SUBSCRIBE again to the filter replaces it.
            for (SubscriberOptions options : subscriptions.values()) {
                if (options == d.subscription()) {
                    return false;
                }
            }
            return true;
        }
        ShareGroup group = d.share();
        for (String filter : subscriptions.keySet()) {
            TopicFilter.Shared share = TopicFilter.parseShared(filter);
            if (group != null ? share != null && share.group().equals(group.name()) && share.filter().equals(group.filter())
                    : share == null && TopicFilter.matches(filter, d.message().topic())) {
                return false;
            }
        }
        return true;
    }

    /** Keeps the broker-wide subscription gauges in step with this session's subscriptions. */
    private void countSubscription(String filter, int delta) {
        context.counters().local().add(TopicFilter.isShared(filter) ? Counter.SHARED_SUBSCRIPTIONS : Counter.SUBSCRIPTIONS, delta);
    }

    private Map<String, SubscriberOptions> subscriptions() {
        if (subscriptions == null) {
            subscriptions = new HashMap<>();
        }
        return subscriptions;
    }

    /** Removes every subscription from the trees and forgets them. */
    private void dropSubscriptions() {
        if (subscriptions == null) {
            return;
        }
        boolean shared = false;
        for (String filter : subscriptions.keySet()) {
            removeFromTree(filter);
            countSubscription(filter, -1);
            shared |= TopicFilter.isShared(filter);
        }
        subscriptions = null;
        unsubscribedAt = shared ? context.tree().touch() : context.tree().generation(); // a clean start reuses the session
    }

    private boolean removeFromTree(String filter) {
        TopicFilter.Shared share = TopicFilter.parseShared(filter);
        if (share != null) {
            return context.shared().unsubscribe(share.group(), share.filter(), this);
        }
        return context.tree().unsubscribe(filter, this);
    }

    /** Releases a delivery that will not be sent, and forgets it in the store. */
    private void drop(Delivery d) {
        journal.done(d);
        d.message().release();
    }

    /** True when online with room in the inflight window: a share group prefers such members. */
    public boolean canTakeMessageNow() {
        return canTakeMessageNow;
    }


    /** A copy of the session's topic filters (shared ones with their {@code $share/} prefix). */
    public java.util.List<String> subscriptionFilters() {
        return subscriptions == null ? java.util.List.of() : java.util.List.copyOf(subscriptions.keySet());
    }

    public int subscriptionCount() {
        return subscriptions == null ? 0 : subscriptions.size();
    }

    // ---- outgoing messages ----

    /** Takes a delivery routed to this session (and its message reference). */
    public void deliver(Delivery delivery) {
        if (owner.inLoop() && inTransit) { // owner first: its volatile read makes inTransit visible
            if (heldInTransit == null) {
                heldInTransit = new java.util.ArrayDeque<>();
            }
            heldInTransit.add(delivery); // after what the old loop still forwards (moveTo)
            return;
        }
        deliverForwarded(delivery);
    }

    /** Takes a delivery forwarded from the session's previous loop (or released after the move). */
    public void deliverForwarded(Delivery delivery) {
        LoopOutbox current = owner;
        if (!current.inLoop()) {
            current.forward(this, delivery); // the session moved since the delivery was addressed
            return;
        }
        if (ended) {
            drop(delivery);
            return;
        }
        if (subscriptionGone(delivery)) {
            context.drops().unsubscribed.increment();
            drop(delivery);
            return;
        }
        outgoing().accept(delivery);
    }

    /**
     * Whether a message at {@code qos} delivered now would be dropped: the queue is full (max_queued_*),
     * or, at QoS 0, the client is not reading or away. A walk over retained messages stops here.
     */
    public boolean cannotTakeMore(QoS qos) {
        return outgoing().cannotTakeMore(qos);
    }

    /** The client's connection took its backed-up output: send what waited in the queue. */
    public void onWritable() {
        if (outgoing != null) {
            outgoing.onWritable();
        }
    }

    /** Where the message sent under {@code packetId} is in its flow, or null when none is inflight under it. */
    public InflightWindow.Stage inflightStage(int packetId) {
        return outgoing == null ? null : outgoing.inflightStage(packetId);
    }

    /** PUBACK from the client; false when no QoS 1 message with that id is inflight. */
    public boolean onPubAck(int packetId) {
        return outgoing != null && outgoing.onPubAck(packetId);
    }

    /** What a PUBREC from the client calls for. */
    public enum PubRecResult {
        /** The message is received: PUBREL follows. */
        SEND_PUBREL,
        /** The client refused the message (a reason code of 0x80 or more): its flow is over, nothing is sent. */
        FLOW_ENDED,
        /** No QoS 2 message with that id is inflight. */
        UNKNOWN_ID,
        /** An error PUBREC for a message that was not awaiting PUBREC. */
        PROTOCOL_ERROR
    }

    /** PUBREC from the client, with its reason code (0 from a 3.1.1 client). */
    public PubRecResult onPubRec(int packetId, int reasonCode) {
        return outgoing == null ? PubRecResult.UNKNOWN_ID : outgoing.onPubRec(packetId, reasonCode);
    }

    /** PUBCOMP from the client; false when no PUBREL with that id was outstanding. */
    public boolean onPubComp(int packetId) {
        return outgoing != null && outgoing.onPubComp(packetId);
    }

    public int inflightCount() {
        return outgoing == null ? 0 : outgoing.inflightCount();
    }

    public int queuedCount() {
        return outgoing == null ? 0 : outgoing.queuedCount();
    }

    // ---- incoming QoS 2 ----

    /** The incoming QoS 2 messages awaiting PUBREL; made on first use. */
    public IncomingMessages incoming() {
        if (awaitingPubRel == null) {
            awaitingPubRel = new IncomingMessages(journal);
        }
        return awaitingPubRel;
    }

    public int incomingQos2Count() {
        return awaitingPubRel == null ? 0 : awaitingPubRel.size();
    }

    // ---- lifetime ----

    /** Forgets all state: subscriptions, messages (those of shared subscriptions go to another member), packet ids. Used by a clean start and at the end. */
    public void clear() {
        if (outgoing != null) {
            // The session ends (a Clean Start, or its connection without expiry): MQTT 5 4.8.2, another member
            // of the group gets what this one will never acknowledge.
            outgoing.handOnSharedMessages();
        }
        journal.forget();
        releaseState();
    }

    /** Empties the in-memory state, leaving the store alone. */
    private void releaseState() {
        dropSubscriptions();
        if (outgoing != null) {
            outgoing.clear();
        }
        idsTaken = 0; // packet ids start at 1 again
        if (awaitingPubRel != null) {
            awaitingPubRel.clear();
        }
    }

    /** Ends the session for good; deliveries still on their way are released on arrival. */
    public void end() {
        end(true);
    }

    /**
     * Broker shutdown, loops stopped: releases what the session holds in memory. Its stored copy stays
     * for the next start, and messages from shared subscriptions are not handed on.
     */
    public void releaseAtShutdown() {
        if (isPersistent() && journal.isActive() && lastPacketId() != savedPacketId) {
            writeHeader(); // messages queued while offline took packet ids: the next start goes on from there
        }
        end(false);
    }

    private void end(boolean forGood) {
        ended = true;
        link = null;
        setCanTakeMessageNow(false);
        Delivery held;
        while (heldInTransit != null && (held = heldInTransit.poll()) != null) {
            drop(held); // waited for a move that no longer matters
        }
        cancelTimers();
        dropSubscriptions();
        if (forGood) {
            if (outgoing != null) {
                outgoing.handOnSharedMessages();
            }
            clear();
        } else {
            releaseState();
        }
    }
}
