package io.starling.broker.store.rocksdb;

import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.store.StoredState.Outgoing;
import io.starling.broker.core.store.StoredState.RestoredSession;
import io.starling.broker.store.rocksdb.ValueLayout.OutgoingEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up: reads the whole store back, cleans it, and rebuilds the message reference counts.
 *
 * <p>Deleted rather than returned: sessions whose expiry passed since they went offline, with all
 * their data; data of clients without a session header (a session is its header); queued entries
 * whose message expired (entries already sent are kept: MQTT 5 §3.3.2.3.3 deletes only copies whose
 * onward delivery has not started); entries whose message is missing and messages no entry refers to
 * (both left by a crash between two writes); expired retained messages; incoming QoS 2 entries of
 * the format before issue 15 (an id without its message).
 *
 * <p>Ownership: the returned state holds one reference per delivery, retained message and will; a
 * message shared by several deliveries is decoded once and retained for each extra one.
 */
final class StateLoader {
    private static final Logger LOG = LoggerFactory.getLogger(StateLoader.class);
    private static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    private final Database db;
    private final MessageCodec codec;
    private final MessageReferences references;

    /** The entries of one live client, as read. */
    private static final class Client {
        final StoredSession header;
        final Map<String, SubscriberOptions> subscriptions = new LinkedHashMap<>();
        final TreeMap<Long, OutgoingEntry> outgoing = new TreeMap<>();
        final Map<Integer, byte[]> incomingQos2 = new TreeMap<>();
        byte[] will;

        Client(StoredSession header) {
            this.header = header;
        }
    }

    StateLoader(Database db, MessageCodec codec, MessageReferences references) {
        this.db = db;
        this.codec = codec;
        this.references = references;
    }

    StoredState load() {
        long started = System.nanoTime();
        long now = System.currentTimeMillis();
        Map<String, Client> clients = new HashMap<>();
        Set<String> expiredSessions = new HashSet<>();
        db.scan(new byte[] {KeyLayout.SESSION}, (key, value) -> {
            String clientId = KeyLayout.clientId(key);
            StoredSession header = parse(key, () -> ValueLayout.readSession(clientId, value));
            if (isExpired(header, now)) {
                expiredSessions.add(clientId);
            } else {
                clients.put(clientId, new Client(header));
            }
        });
        Set<String> orphans = new HashSet<>();
        Set<Long> referencedAtAll = new HashSet<>();
        List<byte[]> deletes = new ArrayList<>();
        readClientEntries(clients, orphans, referencedAtAll, deletes);
        orphans.removeAll(expiredSessions);

        Map<Long, byte[]> messages = new HashMap<>();
        db.scan(new byte[] {KeyLayout.MESSAGE}, (key, value) -> messages.put(KeyLayout.storeId(key), value));

        Map<Long, Integer> counts = new HashMap<>();
        int missing = 0;
        int expiredQueued = 0;
        for (Map.Entry<String, Client> c : clients.entrySet()) {
            var it = c.getValue().outgoing.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                OutgoingEntry entry = e.getValue();
                if (entry.released()) {
                    continue;
                }
                byte[] message = messages.get(entry.storeId());
                boolean gone = message == null;
                boolean expired = !gone && entry.packetId() == 0 && parse(KeyLayout.message(entry.storeId()),
                        () -> MessageCodec.isExpired(message, now));
                if (gone || expired) {
                    deletes.add(KeyLayout.outgoing(c.getKey(), e.getKey()));
                    it.remove();
                    missing += gone ? 1 : 0;
                    expiredQueued += expired ? 1 : 0;
                } else {
                    counts.merge(entry.storeId(), 1, Integer::sum);
                }
            }
        }
        int unreferenced = 0;
        for (Long id : messages.keySet()) {
            if (!counts.containsKey(id)) {
                deletes.add(KeyLayout.message(id));
                unreferenced += referencedAtAll.contains(id) ? 0 : 1;
            }
        }
        List<Message> retained = new ArrayList<>();
        int[] expiredRetained = {0};
        List<byte[]> droppedClients = new ArrayList<>();
        for (String clientId : union(expiredSessions, orphans)) {
            for (byte kind : KeyLayout.CLIENT_KINDS) {
                droppedClients.add(KeyLayout.clientPrefix(kind, clientId));
            }
        }
        StoredState state;
        try {
            db.scan(new byte[] {KeyLayout.RETAINED}, (key, value) -> {
                if (parse(key, () -> MessageCodec.isExpired(value, now))) {
                    deletes.add(key);
                    expiredRetained[0]++;
                } else {
                    retained.add(parse(key, () -> codec.decode(value)));
                }
            });
            db.deleteAll(deletes, droppedClients);
            references.reset(counts);
            state = new StoredState(restore(clients, messages), retained);
        } catch (RuntimeException e) {
            retained.forEach(Message::release);
            throw e;
        }

        if (missing > 0 || unreferenced > 0 || !orphans.isEmpty()) {
            LOG.warn("Session store {}: deleted {} queue entries whose message was missing, {} unreferenced messages"
                    + " and the data of {} clients without a session (left by an interrupted write)",
                    db.directory(), missing, unreferenced, orphans.size());
        }
        LOG.info("Session store {}: {} sessions, {} queued or inflight messages, {} retained, loaded in {} ms"
                        + " (deleted {} expired sessions, {} expired queued and {} expired retained messages)",
                db.directory(), state.sessions().size(), counts.values().stream().mapToInt(Integer::intValue).sum(),
                retained.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), expiredSessions.size(),
                expiredQueued, expiredRetained[0]);
        return state;
    }

    /**
     * Subscriptions, queue entries, incoming QoS 2 messages and wills, sorted into {@code clients};
     * the keys of incoming QoS 2 entries of the old format go to {@code legacyIncoming}.
     */
    private void readClientEntries(Map<String, Client> clients, Set<String> orphans, Set<Long> referencedAtAll,
                                   List<byte[]> legacyIncoming) {
        db.scan(new byte[] {KeyLayout.SUBSCRIPTION}, (key, value) -> {
            Client c = clients.get(KeyLayout.clientId(key));
            if (c == null) {
                orphans.add(KeyLayout.clientId(key));
            } else {
                c.subscriptions.put(KeyLayout.filter(key), parse(key, () -> ValueLayout.readSubscription(value)));
            }
        });
        db.scan(new byte[] {KeyLayout.OUTGOING}, (key, value) -> {
            OutgoingEntry entry = parse(key, () -> ValueLayout.readOutgoing(value));
            if (!entry.released()) {
                referencedAtAll.add(entry.storeId());
            }
            Client c = clients.get(KeyLayout.clientId(key));
            if (c == null) {
                orphans.add(KeyLayout.clientId(key));
            } else {
                c.outgoing.put(KeyLayout.seq(key), entry);
            }
        });
        db.scan(new byte[] {KeyLayout.INCOMING_QOS2}, (key, value) -> {
            Client c = clients.get(KeyLayout.clientId(key));
            if (c == null) {
                orphans.add(KeyLayout.clientId(key));
            } else if (value.length == 0) {
                // Written before issue 15, when the message was routed at PUBLISH: nothing is left to
                // route, and a PUBREL for the id gets its PUBCOMP as for any unknown id.
                legacyIncoming.add(key);
            } else {
                c.incomingQos2.put(KeyLayout.packetId(key), value);
            }
        });
        db.scan(new byte[] {KeyLayout.WILL}, (key, value) -> {
            Client c = clients.get(KeyLayout.clientId(key));
            if (c == null) {
                orphans.add(KeyLayout.clientId(key));
            } else {
                c.will = value;
            }
        });
    }

    /** The sessions with their messages decoded; on failure, every reference taken so far is released. */
    private List<RestoredSession> restore(Map<String, Client> clients, Map<Long, byte[]> messages) {
        Map<Long, Message> decoded = new HashMap<>();
        List<Message> taken = new ArrayList<>();
        try {
            List<RestoredSession> sessions = new ArrayList<>(clients.size());
            for (Client c : clients.values()) {
                List<Outgoing> outgoing = new ArrayList<>(c.outgoing.size());
                c.outgoing.forEach((seq, e) -> {
                    if (e.released()) {
                        outgoing.add(new Outgoing(seq, null, e.packetId()));
                        return;
                    }
                    Message m = decoded.get(e.storeId());
                    if (m == null) {
                        m = parse(KeyLayout.message(e.storeId()), () -> codec.decode(messages.get(e.storeId())));
                        m.setStoreId(e.storeId());
                        decoded.put(e.storeId(), m);
                    } else {
                        m.retain();
                    }
                    taken.add(m);
                    outgoing.add(new Outgoing(seq, new Delivery(m, e.qos(), e.retain(), e.subscriptionIds(), null, seq,
                            e.queuedPacketId(), Delivery.NOT_MATCHED),
                            e.packetId(), e.share()));
                });
                Map<Integer, Message> incoming = new HashMap<>();
                c.incomingQos2.forEach((packetId, value) -> {
                    Message m = parse(KeyLayout.incomingQos2(c.header.clientId(), packetId), () -> codec.decode(value));
                    taken.add(m);
                    incoming.put(packetId, m);
                });
                Message will = null;
                long willAt = 0;
                if (c.will != null) {
                    byte[] value = c.will;
                    will = parse(KeyLayout.will(c.header.clientId()),
                            () -> codec.decode(ValueLayout.willMessage(value)));
                    willAt = ValueLayout.willPublishAt(value);
                    taken.add(will);
                }
                sessions.add(new RestoredSession(c.header, Map.copyOf(c.subscriptions), List.copyOf(outgoing),
                        incoming, will, willAt));
            }
            return sessions;
        } catch (RuntimeException e) {
            taken.forEach(Message::release);
            throw e;
        }
    }

    private static boolean isExpired(StoredSession s, long nowMillis) {
        long expiry = s.expiryIntervalSeconds();
        return expiry != NEVER_EXPIRES && s.disconnectedAtMillis() != 0
                && nowMillis > s.disconnectedAtMillis() + expiry * 1000;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private interface Parse<T> {
        T parse();
    }

    /** Runs a decoder on the value of {@code key}, turning a malformed value into a {@link StoreException}. */
    private <T> T parse(byte[] key, Parse<T> parse) {
        try {
            return parse.parse();
        } catch (RuntimeException e) {
            throw new StoreException(db.directory(), "is corrupt: cannot read the entry "
                    + KeyLayout.describe(key) + " (" + e + ")", e);
        }
    }
}
