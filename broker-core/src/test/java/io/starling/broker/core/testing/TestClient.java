package io.starling.broker.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.protocol.Client;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.testing.TestLoops.InLoop;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Will;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One client connection to a core under test: a {@link Client} over a {@link FakeConnection} on a
 * test loop, driven as the transport drives it. Each {@link #send} is one read batch (packets, then
 * {@code onReadComplete}); a close is reported back through {@code onConnectionLost} in a later
 * task on the loop, as a Netty channel reports {@code channelInactive}.
 *
 * <p>Packets the broker wrote are read in order with {@link #take()}, {@link #expect} and friends.
 */
public final class TestClient {
    private final BrokerCore core;
    private final InLoop loop;
    private final Payloads payloads;
    private final FakeConnection connection = new FakeConnection();
    private final Client client;
    private final ArrayDeque<Packet> unread = new ArrayDeque<>();
    private int nextPacketId = 1;

    public TestClient(BrokerCore core, InLoop loop, Payloads payloads) {
        this.core = core;
        this.loop = loop;
        this.payloads = payloads;
        this.client = loop.call(() -> new Client(core, connection, loop.outbox()));
        connection.onClose(() -> loop.executor().execute(() -> {
            client.onConnectionLost();
            loop.outbox().flushPending();
        }));
    }

    public Client client() {
        return client;
    }

    public FakeConnection connection() {
        return connection;
    }

    public InLoop loop() {
        return loop;
    }

    public String clientId() {
        return loop.call(client::clientId);
    }

    /** The session registered under this client's id (possibly another connection's by now). */
    public Session session() {
        return core.sessions().get(clientId());
    }

    /** Reads the session's state on the loop that owns it (which a takeover may have changed). */
    public <T> T onSession(Function<Session, T> read) {
        Session s = session();
        assertThat(s).as("session of %s", clientId()).isNotNull();
        try {
            return s.owner().loop().submit(() -> read.apply(s)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not read the session of " + clientId(), e);
        }
    }

    // ---- sending ----

    /** One read batch: the packets in order, then the end of the read; then lets the loop settle. */
    public void send(Packet... packets) {
        loop.run(() -> {
            for (Packet p : packets) {
                client.onPacket(p);
            }
            client.onReadComplete();
        });
        loop.drain();
    }

    /** Sends a 3.1.1 CONNECT with keepalive 60 and returns the CONNACK. */
    public ConnAck connect(String clientId, boolean cleanSession) {
        return connect(connectPacket(clientId, cleanSession, null));
    }

    public ConnAck connect(Connect connect) {
        send(connect);
        return expect(ConnAck.class);
    }

    public static Connect connectPacket(String clientId, boolean cleanSession, Will will) {
        return new Connect(MqttVersion.MQTT_3_1_1, clientId, cleanSession, 60, null, null, will, Properties.EMPTY);
    }

    /** Subscribes to one filter and returns the SUBACK. */
    public SubAck subscribe(String filter, QoS qos) {
        return subscribe(new Subscription(filter, SubscriptionOptions.of(qos)));
    }

    public SubAck subscribe(Subscription... subscriptions) {
        send(new Subscribe(packetId(), List.of(subscriptions), Properties.EMPTY));
        return expect(SubAck.class);
    }

    /** Publishes a message; returns its packet id (0 for QoS 0). The acknowledgement stays unread. */
    public int publish(String topic, QoS qos, String payload) {
        return publish(topic, qos, false, payload);
    }

    public int publish(String topic, QoS qos, boolean retain, String payload) {
        int id = qos == QoS.AT_MOST_ONCE ? 0 : packetId();
        send(publishPacket(topic, qos, retain, id, payload));
        return id;
    }

    /**
     * Publishes a message so that it is passed on: at QoS 2 its PUBREL follows in the same read, since
     * the broker passes a QoS 2 message on at PUBREL. Returns its packet id; the acknowledgements
     * (PUBREC and PUBCOMP at QoS 2) stay unread.
     */
    public int publishAndRelease(String topic, QoS qos, String payload) {
        return publishAndRelease(topic, qos, false, payload);
    }

    public int publishAndRelease(String topic, QoS qos, boolean retain, String payload) {
        if (qos != QoS.EXACTLY_ONCE) {
            return publish(topic, qos, retain, payload);
        }
        int id = packetId();
        send(publishPacket(topic, qos, retain, id, payload), new PubRel(id));
        return id;
    }

    /** A PUBLISH as the decoder would hand it over, with a tracked payload owned by the packet. */
    public Publish publishPacket(String topic, QoS qos, boolean retain, int packetId, String payload) {
        return new Publish(false, qos, retain, topic, packetId, Properties.EMPTY, payloads.of(payload));
    }

    /** Acknowledges a received QoS 1 (PUBACK) or QoS 2 (PUBREC) message. */
    public void ack(Publish publish) {
        if (publish.qos() == QoS.AT_LEAST_ONCE) {
            send(new PubAck(publish.packetId()));
        } else if (publish.qos() == QoS.EXACTLY_ONCE) {
            send(new PubRec(publish.packetId()));
        }
    }

    public void disconnect() {
        send(Disconnect.NORMAL);
    }

    /** The network connection breaks (no DISCONNECT): the transport closes it and reports it lost. */
    public void dropConnection() {
        loop.run(connection::close);
        loop.drain();
    }

    public int packetId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    // ---- receiving ----

    /** Every packet written to this client and not yet read, oldest first. */
    public List<Packet> take() {
        pull();
        List<Packet> all = new ArrayList<>(unread);
        unread.clear();
        return all;
    }

    /** The next unread packet, which must be a {@code type}. */
    public <T extends Packet> T expect(Class<T> type) {
        pull();
        assertThat(unread).as("packets written to %s", connection.remoteAddress()).isNotEmpty();
        Packet next = unread.poll();
        assertThat(next).isInstanceOf(type);
        return type.cast(next);
    }

    /** Every unread packet, each of which must be a PUBLISH. */
    public List<Publish> takePublishes() {
        List<Packet> all = take();
        assertThat(all).allMatch(p -> p instanceof Publish, "is a PUBLISH");
        List<Publish> publishes = new ArrayList<>(all.size());
        all.forEach(p -> publishes.add((Publish) p));
        return publishes;
    }

    public void expectNothing() {
        assertThat(take()).isEmpty();
    }

    public boolean isClosed() {
        return connection.isClosed();
    }

    private void pull() {
        unread.addAll(connection.takeWritten());
    }
}
