package io.starling.broker.core.store.memory;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.LinkSequence;
import io.starling.broker.core.store.SessionStore;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.StoredState.Outgoing;
import io.starling.broker.core.store.StoredState.RestoredSession;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SessionStore} on the heap, with the same rules as the durable one: payloads are copied
 * in, a message queued for many sessions is kept once with a reference count, and {@link #load}
 * drops expired data and hands out fresh copies. It survives {@link #close}, so a test can stop a
 * broker and start another on the same store object, as after a restart.
 *
 * <p>It says it is durable, so that the core's tests exercise the acknowledgement path that waits
 * for {@link #afterDurable}; every change is "durable" at once, so the task runs straight away.
 *
 * <p>Threading: thread-safe; the maps are concurrent, and reference counts change inside
 * {@link ConcurrentHashMap#compute}. Changes for one client id are expected in happens-before order.
 */
public final class InMemorySessionStore implements SessionStore {
    /** {@code Session.NEVER_EXPIRES}, the Session Expiry Interval that means never. */
    private static final long SESSION_NEVER_EXPIRES = 0xFFFF_FFFFL;

    /** A message with its own copy of the payload. */
    private record MessageCopy(String topic, QoS qos, boolean retainFlag, byte[] payload, Properties properties,
                               String publisherId, String publisherUsername, int publisherListener,
                               long expiryAtNanos) {
        static MessageCopy of(Message m) {
            return new MessageCopy(m.topic(), m.qos(), m.retainFlag(), ByteBufUtil.getBytes(m.payload()),
                    m.properties(), m.publisherId(), m.publisherUsername(), m.publisherListener(), m.expiryAtNanos());
        }

        /** A new message with one reference to a new buffer. */
        Message toMessage() {
            return new Message(topic, qos, retainFlag, Unpooled.buffer(payload.length).writeBytes(payload), properties,
                    publisherId, publisherUsername, publisherListener, expiryAtNanos);
        }
    }

    private record Shared(MessageCopy message, int references) {
    }

    /**
     * One queue entry; a released one (QoS 2 after PUBREC) has no message. {@code packetId} is the id it
     * went out with (0 while queued), {@code queuedPacketId} the one it took when it was queued.
     */
    private record Entry(long storeId, QoS qos, boolean retain, List<Integer> subscriptionIds, int packetId,
                         boolean released, int queuedPacketId) {
    }

    private record Will(MessageCopy message, long publishAtMillis) {
    }

    private static final class Client {
        volatile StoredSession header;
        final Map<String, SubscriberOptions> subscriptions = new ConcurrentHashMap<>();
        final ConcurrentSkipListMap<Long, Entry> outgoing = new ConcurrentSkipListMap<>();
        final Map<Integer, MessageCopy> incomingQos2 = new ConcurrentHashMap<>();
        volatile Will will;
    }

    private final Clock clock;
    private final ConcurrentHashMap<String, Client> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Shared> messages = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, MessageCopy> retained = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentHashMap<String, LinkSequence> linkSequences = new ConcurrentHashMap<>();

    /** @param clock the clock of the messages' expiry times */
    public InMemorySessionStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean isDurable() {
        return true;
    }

    @Override
    public void saveLinkSequence(String origin, long incarnation, long seq) {
        linkSequences.put(origin, new LinkSequence(incarnation, seq));
    }

    @Override
    public Map<String, LinkSequence> linkSequences() {
        return Map.copyOf(linkSequences);
    }

    @Override
    public void saveSession(StoredSession session) {
        client(session.clientId()).header = session;
    }

    @Override
    public void deleteSession(String clientId) {
        Client c = clients.remove(clientId);
        if (c != null) {
            dropReferences(c);
        }
    }

    @Override
    public void saveSubscription(String clientId, String filter, SubscriberOptions options) {
        client(clientId).subscriptions.put(filter, options);
    }

    @Override
    public void deleteSubscription(String clientId, String filter) {
        Client c = clients.get(clientId);
        if (c != null) {
            c.subscriptions.remove(filter);
        }
    }

    @Override
    public void saveOutgoing(String clientId, long seq, Delivery delivery) {
        long storeId = addReference(delivery.message());
        client(clientId).outgoing.put(seq, entry(storeId, delivery, 0));
    }

    @Override
    public void saveOutgoingSent(String clientId, long seq, Delivery delivery, int packetId) {
        long storeId = delivery.message().storeId();
        if (storeId == 0) {
            storeId = addReference(delivery.message());
        }
        client(clientId).outgoing.put(seq, entry(storeId, delivery, packetId));
    }

    @Override
    public void saveOutgoingReleased(String clientId, long seq, int packetId, Message message) {
        client(clientId).outgoing.put(seq, new Entry(0, QoS.EXACTLY_ONCE, false, List.of(), packetId, true, 0));
        dropReference(message);
    }

    @Override
    public void deleteOutgoing(String clientId, long seq, Message message) {
        Client c = clients.get(clientId);
        if (c != null && c.outgoing.remove(seq) != null) {
            dropReference(message); // else it went with its session, which dropped the reference
        }
    }

    @Override
    public void saveIncomingQos2(String clientId, int packetId, Message message) {
        client(clientId).incomingQos2.put(packetId, MessageCopy.of(message));
    }

    @Override
    public void deleteIncomingQos2(String clientId, int packetId) {
        Client c = clients.get(clientId);
        if (c != null) {
            c.incomingQos2.remove(packetId);
        }
    }

    @Override
    public void saveRetained(Message message) {
        retained.put(message.topic(), MessageCopy.of(message));
    }

    @Override
    public void deleteRetained(String topic) {
        retained.remove(topic);
    }

    @Override
    public void saveWill(String clientId, Message will, long publishAtMillis) {
        client(clientId).will = new Will(MessageCopy.of(will), publishAtMillis);
    }

    @Override
    public void deleteWill(String clientId) {
        Client c = clients.get(clientId);
        if (c != null) {
            c.will = null;
        }
    }

    @Override
    public void afterDurable(Executor executor, Commit task) {
        executor.execute(() -> task.done(true));
    }

    /**
     * Drops expired sessions and messages (and clients that never got a header), then returns
     * copies: one message per stored message, retained once more for each extra delivery of it.
     */
    @Override
    public StoredState load() {
        long nowMillis = System.currentTimeMillis();
        clients.entrySet().removeIf(e -> {
            StoredSession header = e.getValue().header;
            boolean gone = header == null || isExpired(header, nowMillis);
            if (gone) {
                dropReferences(e.getValue());
            }
            return gone;
        });
        retained.values().removeIf(this::isExpired);
        Map<Long, Message> decoded = new HashMap<>();
        List<RestoredSession> sessions = new ArrayList<>();
        for (Client c : clients.values()) {
            sessions.add(restore(c, decoded));
        }
        List<Message> retainedMessages = new ArrayList<>();
        retained.values().forEach(m -> retainedMessages.add(m.toMessage()));
        return new StoredState(sessions, retainedMessages);
    }

    /** Bytes on disk: none. */
    @Override
    public long diskBytes() {
        return 0;
    }

    /** Keeps everything, so that the next broker can {@link #load} it. */
    @Override
    public void close() {
    }

    /** How many messages are kept for queue entries (each once, however many entries refer to it). */
    public int messageCount() {
        return messages.size();
    }

    private RestoredSession restore(Client c, Map<Long, Message> decoded) {
        List<Outgoing> outgoing = new ArrayList<>();
        var it = c.outgoing.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            long seq = e.getKey();
            Entry entry = e.getValue();
            if (entry.released()) {
                outgoing.add(new Outgoing(seq, null, entry.packetId()));
                continue;
            }
            Shared shared = messages.get(entry.storeId());
            if (shared == null) {
                it.remove(); // cannot happen in memory; a durable store would call it an interrupted write
                continue;
            }
            if (entry.packetId() == 0 && isExpired(shared.message())) {
                it.remove();
                dropReference(entry.storeId());
                continue;
            }
            Message m = decoded.get(entry.storeId());
            if (m == null) {
                m = shared.message().toMessage();
                m.setStoreId(entry.storeId());
                decoded.put(entry.storeId(), m);
            } else {
                m.retain();
            }
            outgoing.add(new Outgoing(seq, new Delivery(m, entry.qos(), entry.retain(), entry.subscriptionIds(), null,
                    seq, entry.queuedPacketId(), Delivery.NOT_MATCHED), entry.packetId()));
        }
        Map<Integer, Message> incoming = new HashMap<>();
        c.incomingQos2.forEach((id, m) -> incoming.put(id, m.toMessage()));
        Will will = c.will;
        return new RestoredSession(c.header, Map.copyOf(c.subscriptions), outgoing, incoming,
                will == null ? null : will.message().toMessage(), will == null ? 0 : will.publishAtMillis());
    }

    private Client client(String clientId) {
        return clients.computeIfAbsent(clientId, id -> new Client());
    }

    /** Takes a reference to {@code message}, copying it in on its first one; returns its store id. */
    private long addReference(Message message) {
        long id;
        synchronized (message) {
            if (message.storeId() == 0) {
                message.setStoreId(nextId.getAndIncrement());
            }
            id = message.storeId();
        }
        messages.compute(id, (key, shared) -> shared == null
                ? new Shared(MessageCopy.of(message), 1) : new Shared(shared.message(), shared.references() + 1));
        return id;
    }

    private void dropReference(Message message) {
        if (message != null && message.storeId() != 0) {
            dropReference(message.storeId());
        }
    }

    private void dropReference(long storeId) {
        messages.computeIfPresent(storeId, (key, shared) -> shared.references() == 1
                ? null : new Shared(shared.message(), shared.references() - 1));
    }

    private void dropReferences(Client c) {
        c.outgoing.values().forEach(e -> {
            if (!e.released()) {
                dropReference(e.storeId());
            }
        });
    }

    private boolean isExpired(MessageCopy m) {
        return m.expiryAtNanos() != Message.NEVER_EXPIRES && clock.nanoTime() - m.expiryAtNanos() >= 0;
    }

    private static boolean isExpired(StoredSession s, long nowMillis) {
        long expiry = s.expiryIntervalSeconds();
        return expiry != SESSION_NEVER_EXPIRES && s.disconnectedAtMillis() != 0
                && nowMillis > s.disconnectedAtMillis() + expiry * 1000;
    }

    private static Entry entry(long storeId, Delivery d, int packetId) {
        return new Entry(storeId, d.qos(), d.retain(), List.copyOf(d.subscriptionIds()), packetId, false, d.packetId());
    }
}
