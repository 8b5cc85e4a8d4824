package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.ListenerSettings;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.LoopOutbox;
import io.starling.broker.core.session.ClientIdClaims;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.session.SessionLink;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.sys.LoopCounters;
import io.starling.mqtt.codec.Auth;
import io.starling.mqtt.codec.Connect;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.SecurityRules;
import io.starling.broker.core.auth.PasswordChecks;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.Will;
import java.util.ArrayDeque;

/**
 * The broker's side of one network connection: where it is in its life (awaiting CONNECT,
 * connecting, connected, closed), its will, and the session attached to it. It receives decoded
 * packets from the transport and dispatches each to the handler for its type.
 *
 * <p>Threading: owned by the connection's event loop; every method runs there.
 */
public final class Client implements SessionLink, LoopOutbox.Flushable {
    private static final RateLimitedLog OFF_LOOP_WRITES = new RateLimitedLog(10);

    enum State { AWAITING_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSED }

    final BrokerCore core;
    final Connection connection;
    final LoopOutbox outbox;
    /** This loop's counters: the Client is made on its connection's loop and stays there. */
    final LoopCounters counters;
    State state = State.AWAITING_CONNECT;
    MqttVersion version;
    String clientId = "<unknown>";
    Session session;
    Will will;
    /** What the client accepts (MQTT 5 CONNECT properties; defaults for 3.1.1). */
    ClientLimits limits = ClientLimits.V3;
    /** This connection's topic aliases; set at CONNECT for 5.0 clients. */
    TopicAliases aliases;
    /** The QoS 1/2 PUBLISHes the client may still send; set when it connects. */
    ReceiveQuota receiveQuota;
    /** The keepalive in force once connected, in seconds. */
    int keepAlive;
    /** The Session Expiry Interval the CONNECT asked for: a DISCONNECT may not raise it from 0. */
    long connectExpiryInterval;
    /** The password check and ACL that apply to this client: its listener's, or the broker's. */
    final SecurityRules security;
    /** Its listener's maximum QoS, topic alias maximum and client-id options. */
    final ListenerSettings listener;
    /**
     * The password the client logged in with, kept (as mosquitto keeps it) so that a reload of the
     * password file can check it again; null when it logged in without one, or by certificate or an
     * enhanced authentication method, which a password reload does not re-check.
     */
    byte[] password;
    boolean passwordChecked;
    /** The CONNECT's protocol level had the bridge bit (mosquitto's try_private): a 3.x bridge's subscriptions are No Local and Retain As Published. */
    boolean bridge;
    /**
     * The slow password check this client waits for (its CONNECT's, or a reload's re-check), cancelled
     * when the connection is lost so that no hash is computed for it; null when none waits.
     */
    PasswordChecks.Ticket passwordCheck;
    /** Who the client is for ACL checks; set once authenticated. */
    ClientIdentity identity;
    /** Null until the client first publishes: an idle connection carries no cache (issue 8). */
    private PublishAcl publishAcl;
    /** MQTT 5 enhanced authentication; null when the CONNECT named no method (most clients). */
    AuthState auth;
    /**
     * Packets that arrived while a takeover moved the session here; replayed once connected. Null
     * until the first one: most connections never have any (issue 8: heap per idle connection).
     */
    private ArrayDeque<Packet> pending;
    private boolean flushMarked;
    /**
     * Replies of this client waiting for the store ({@link StateReports}) and the output held behind
     * them; null while none waits (most of the time, and always without persistence).
     */
    HeldOutput held;
    /** The network connection is gone: nothing can be sent any more. */
    private boolean lost;
    /** Set when the broker closed the connection itself and logged why; nothing read afterwards counts. */
    private boolean closing;
    /** Between an accepted CONNECT and the session being here: it is being claimed, maybe from another loop. */
    boolean claiming;
    /**
     * The network connection closed while {@link #claiming}, with packets read before the close held:
     * they take effect once the session is ready, and then the connection counts as lost (issue 15:
     * mosquitto handles everything it read before a close, a retained PUBLISH included).
     */
    boolean lostWhileClaiming;
    /** The cluster's token for this connection's claim of its id ({@link ClientIdClaims#NO_TOKEN} on a single broker). */
    long claimToken = ClientIdClaims.NO_TOKEN;

    public Client(BrokerCore core, Connection connection, LoopOutbox outbox) {
        this.core = core;
        this.connection = connection;
        this.outbox = outbox;
        this.counters = core.counters().local();
        this.security = connection.security() != null ? connection.security() : core.security();
        this.listener = connection.listenerSettings() != null ? connection.listenerSettings() : core.listenerDefaults();
        if (!connection.trusted()) { // a bridge's local side logs its own lines, as mosquitto's
            ProtocolLog.CONNECTIONS.info("New connection from {} on port {}.", connection.remoteAddress(), connection.localPort());
        }
    }

    /**
     * The listener's mount_point, prefixed to this client's topics and filters ("" for none): the
     * connection's, asked each time rather than kept in a field (issue 16: heap per connection).
     */
    String mountPoint() {
        return connection.mountPoint();
    }

    public String clientId() {
        return clientId;
    }

    /**
     * Its listener's settings as they are now: the client-id options are read at CONNECT, and a reload
     * (SIGHUP) since the connection opened may have changed them, as in mosquitto.
     */
    ListenerSettings listenerNow() {
        return connection.listenerSettings() != null ? connection.listenerSettings() : core.listenerDefaults();
    }

    public MqttVersion version() {
        return version;
    }

    /** What the client looks like now, or null when it is not connected; call on the client's loop. */
    public ClientSummary summary() {
        if (state != State.CONNECTED || session == null) {
            return null;
        }
        String protocol = version == MqttVersion.MQTT_3_1 ? "3.1" : version == MqttVersion.MQTT_3_1_1 ? "3.1.1" : "5.0";
        return new ClientSummary(clientId, identity == null ? null : identity.username(), connection.remoteAddress(),
                protocol, keepAlive, session.subscriptionCount(), session.inflightCount(), session.queuedCount());
    }

    // ---- events from the transport ----

    public void onPacket(Packet packet) {
        counters.increment(Counter.PACKETS_RECEIVED);
        if (closing) {
            // We closed the connection (DISCONNECT, violation, timeout): packets read after that in
            // the same batch are dropped, as the closed socket would have dropped them (MQTT-3.14.4-2).
            release(packet);
            return;
        }
        switch (state) {
            case AWAITING_CONNECT:
                if (packet instanceof Connect c) {
                    ConnectHandler.handle(this, c);
                } else {
                    release(packet);
                    Disconnects.silently(this, "sent " + packet.type() + " before CONNECT");
                }
                return;
            case AUTHENTICATING:
                if (packet instanceof Auth auth) {
                    EnhancedAuth.onAuth(this, auth);
                } else {
                    release(packet);
                    Disconnects.silently(this, "sent " + packet.type() + " during authentication");
                }
                return;
            case CONNECTING:
                if (pending == null) {
                    pending = new ArrayDeque<>(1);
                }
                pending.add(packet);
                return;
            case CONNECTED:
                dispatch(packet);
                return;
            default:
                release(packet);
        }
    }

    void dispatch(Packet packet) {
        core.store().beginChanges(); // what this packet changes is what its reply reports (StateReports)
        switch (packet.type()) {
            case PUBLISH: PublishHandler.handle(this, (Publish) packet); return;
            case PUBREL: PublishHandler.handlePubRel(this, (PubRel) packet); return;
            case PUBACK: case PUBREC: case PUBCOMP: AckHandler.handle(this, packet); return;
            case SUBSCRIBE: SubscribeHandler.handle(this, (io.starling.mqtt.codec.Subscribe) packet); return;
            case UNSUBSCRIBE: UnsubscribeHandler.handle(this, (io.starling.mqtt.codec.Unsubscribe) packet); return;
            case PINGREQ:
                ProtocolLog.received(clientId, "PINGREQ");
                ProtocolLog.sending(clientId, "PINGRESP");
                write(PingResp.INSTANCE);
                return;
            case DISCONNECT:
                onDisconnect((Disconnect) packet);
                return;
            case AUTH:
                EnhancedAuth.onAuth(this, (Auth) packet);
                return;
            case CONNECT:
                Disconnects.silently(this, "sent a second CONNECT"); // MQTT-3.1.0-2
                return;
            default:
                // Mosquitto 2.0.11 ignores a SUBACK, UNSUBACK or PINGRESP from a client; the spec calls
                // it a protocol violation the server must close on (MQTT-4.8.0-1, MQTT 5 §4.13).
                Disconnects.silently(this, "sent " + packet.type() + ", which only a server sends");
        }
    }

    private void onDisconnect(Disconnect disconnect) {
        ProtocolLog.received(clientId, "DISCONNECT");
        long expiry = disconnect.properties().number(PropertyId.SESSION_EXPIRY_INTERVAL, -1);
        if (expiry > 0 && connectExpiryInterval == 0) {
            Disconnects.disconnect(this, ReasonCode.PROTOCOL_ERROR,
                    "DISCONNECT sets a session expiry after CONNECT set 0"); // MQTT-3.14.2-2
            return;
        }
        if (expiry >= 0 && session != null) {
            session.setExpiryInterval(expiry);
        }
        if (disconnect.reasonCode() != ReasonCode.DISCONNECT_WITH_WILL_MESSAGE) {
            will = null; // a normal DISCONNECT discards the will (MQTT-3.14.4-3)
        }
        ProtocolLog.CONNECTIONS.info("Client {} disconnected.", clientId);
        counters.increment(Counter.DISCONNECTS_CLIENT);
        closing = true;
        closeConnection();
    }

    public void onMalformed(Malformed malformed) {
        core.drops().malformedPackets.increment();
        if (state == State.AWAITING_CONNECT && malformed.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
            ConnectHandler.refuseProtocolVersion(this, malformed);
            return;
        }
        Disconnects.malformed(this, malformed);
    }

    /** The connection's backed-up output has gone out: what waited for it may go now. */
    public void onWritable() {
        if (state == State.CONNECTED && session != null && !closing) {
            session.onWritable();
        }
    }

    /** The end of a read batch: flush everything written while handling it. */
    public void onReadComplete() {
        outbox.flushAfterReads();
    }

    public void onKeepAliveTimeout() {
        if (state == State.CLOSED) {
            return;
        }
        ProtocolLog.CONNECTIONS.info("Client {} has exceeded timeout, disconnecting.", clientId);
        counters.increment(Counter.DISCONNECTS_KEEPALIVE_TIMEOUT);
        sendDisconnect(ReasonCode.KEEP_ALIVE_TIMEOUT);
        closing = true;
        closeConnection();
    }

    /**
     * The broker is stopping, and every will goes out before any connection closes, as from mosquitto:
     * one without delay now ({@code delayed} false); one with a delay ({@code delayed} true) is held by
     * the session, to go with the other held wills in their order ({@link
     * io.starling.broker.core.BrokerCore#publishHeldWills()}).
     */
    public void publishWillAtShutdown(boolean delayed) {
        if (state != State.CONNECTED || closing || will == null
                || will.properties().number(PropertyId.WILL_DELAY_INTERVAL, 0) > 0 != delayed) {
            return;
        }
        Will w = will;
        will = null;
        Wills.holdAtShutdown(this, session, w);
    }

    /** The broker is stopping: a 5.0 client is told so (0x8B) before the connection closes. */
    public void onShutdown() {
        if (state == State.CLOSED || closing) {
            return;
        }
        counters.increment(Counter.DISCONNECTS_SHUTDOWN);
        claiming = false; // a session still on its way will not come: held packets go now
        sendDisconnect(ReasonCode.SERVER_SHUTTING_DOWN);
        closing = true;
        dropHeld(); // a CONNACK still waiting for the store will not come, nor what waits behind it
        connection.close();
    }

    /**
     * This cluster node lost touch with the majority for longer than its client lease: another node may
     * now give this client id to a new connection, so this one closes (5.0: DISCONNECT 0x9C Use another
     * server). The will goes, as when the server closes any connection; the session stays. Returns whether
     * this closed it (false: it was not connected, or closing already).
     */
    boolean closeForLostLease() {
        if (state != State.CONNECTED || closing) {
            return false;
        }
        ProtocolLog.CONNECTIONS.info("Client {} disconnected: this cluster node lost touch with the majority "
                + "(cluster_client_lease).", clientId);
        sendDisconnect(ReasonCode.USE_ANOTHER_SERVER);
        closing = true;
        closeConnection();
        return true;
    }

    /**
     * The administrator changed what this client may do (dynamic security): the connection closes without
     * its will (5.0: DISCONNECT 0x98 Administrative action), as mosquitto's
     * {@code mosquitto_kick_client_by_username(username, false)}; the session stays. Returns whether this
     * closed it.
     */
    boolean closeForAdministrativeAction() {
        if (state != State.CONNECTED || closing) {
            return false;
        }
        ProtocolLog.CONNECTIONS.info("Client {} disconnected: its access was changed by an administrator.", clientId);
        sendDisconnect(ReasonCode.ADMINISTRATIVE_ACTION);
        will = null;
        closing = true;
        closeConnection();
        return true;
    }

    /** Sends a server DISCONNECT to a connected 5.0 client; 3.1.1 has none. */
    void sendDisconnect(int reasonCode) {
        if (state == State.CONNECTED && version == MqttVersion.MQTT_5) {
            if (ProtocolLog.packets()) {
                ProtocolLog.sending(clientId, "DISCONNECT", "(" + reasonCode + ")");
            }
            write(new Disconnect(reasonCode, Properties.EMPTY));
        }
    }

    /** The network connection is gone, for whatever reason. Publishes the will unless DISCONNECT came first. */
    public void onConnectionLost() {
        if (state == State.CONNECTING && claiming && pending != null && !pending.isEmpty()) {
            lostWhileClaiming = true; // ConnectHandler handles what was read, then calls this again
            return;
        }
        lost = true;
        dropHeld();
        State was = state;
        state = State.CLOSED;
        if (passwordCheck != null) {
            passwordCheck.cancel();
            passwordCheck = null;
        }
        if (was != State.CLOSED && !closing) {
            counters.increment(Counter.DISCONNECTS_CONNECTION_LOST);
        }
        if (was == State.CONNECTED) {
            counters.add(Counter.CLIENTS_CONNECTED, -1);
            if (!closing && !connection.trusted()) {
                ProtocolLog.CONNECTIONS.info("Client {} closed its connection.", clientId);
            }
            Session s = session;
            session = null;
            Will w = will;
            will = null;
            if (s != null) {
                s.detach();
                SessionEnd.afterConnectionLost(this, s, w);
            }
        }
        Packet held;
        while ((held = pollPending()) != null) {
            release(held);
        }
    }

    /** Releases the packets held back while connecting: they will never be handled. */
    void dropPending() {
        Packet held;
        while ((held = pollPending()) != null) {
            release(held);
        }
    }

    /** The oldest packet held back while connecting, or null when none is left. */
    Packet pollPending() {
        return pending == null ? null : pending.poll();
    }

    PublishAcl publishAcl() {
        if (publishAcl == null) {
            publishAcl = new PublishAcl();
        }
        return publishAcl;
    }

    /**
     * Another connection took this client id over: close this one, keeping the session for the new one.
     * The will goes as {@link Wills#releaseOnTakeover} says, which depends on the new CONNECT's clean start.
     */
    void closeForTakeover(boolean newCleanStart) {
        ProtocolLog.CONNECTIONS.info("Client {} already connected, closing old connection.", clientId);
        counters.increment(Counter.DISCONNECTS_TAKEN_OVER);
        if (state == State.CONNECTED) {
            counters.add(Counter.CLIENTS_CONNECTED, -1);
        }
        sendDisconnect(ReasonCode.SESSION_TAKEN_OVER);
        closing = true;
        Will w = will;
        will = null;
        Wills.releaseOnTakeover(this, session, w, newCleanStart);
        if (session != null) {
            session.detach();
            session = null;
        }
        state = State.CLOSED;
        closeConnection();
    }

    /**
     * Another node took the client id over (a cluster): DISCONNECT 0x8E Session taken over (5.0; 3.x is
     * just closed). The will is not decided here: whether it goes depends on the new CONNECT's Clean Start,
     * which only the new node knows; it travels with the session ({@link Wills#movingOnTakeover}).
     *
     * @return the will as a message to send if the new node so decides, or null (none, delayed, denied)
     */
    Message closeForTakeoverElsewhere() {
        Message moving = Wills.movingOnTakeover(this, will);
        will = null;
        closeForTakeover(false);
        return moving;
    }

    void markClosing() {
        closing = true;
    }


    // ---- writing ----

    /** Sends {@code packet}, behind any reply still waiting for the store ({@link HeldOutput}). */
    void write(Packet packet) {
        if (held != null && held.holds()) {
            held.hold(packet);
            return;
        }
        writeNow(packet);
    }

    /** Sends {@code packet} now: nothing written before still waits. */
    void writeNow(Packet packet) {
        counters.increment(Counter.PACKETS_SENT);
        connection.write(packet);
        if (!flushMarked) {
            flushMarked = true;
            if (!outbox.inLoop()) {
                // The flush list is the loop's own: a mark from another thread can be lost, and the connection
                // then stays marked and is never flushed again. Never meant to happen; say from where if it does.
                OFF_LOOP_WRITES.warn(ProtocolLog.LOG, "Packet to {} written off its event loop (a bug):", clientId,
                        new IllegalStateException("written on " + Thread.currentThread().getName()));
            }
            outbox.markForFlush(this);
        }
    }

    /** Closes the connection once what was written before it has gone out (see {@link #write}). */
    void closeConnection() {
        if (held != null && held.holds()) {
            held.closeWhenSent();
            connection.setReading(false); // nothing read from now on would count
            return;
        }
        dropHeld();
        connection.close();
    }

    /** Whether the network connection is still there to send to. */
    boolean isOpen() {
        return !lost;
    }

    private void dropHeld() {
        if (held != null) {
            held.drop();
        }
    }

    @Override
    public void flushNow() {
        flushMarked = false;
        connection.flush();
    }

    @Override
    public boolean isWritable() {
        return (held == null || !held.full()) && connection.isWritable();
    }

    @Override
    public int receiveMaximum() {
        return limits.receiveMaximum();
    }

    @Override
    public boolean sendPublish(Delivery delivery, int packetId, boolean dup) {
        Publish p = Deliveries.toPublish(this, delivery, packetId, dup);
        if (limits.maximumPacketSize() < ClientLimits.UNLIMITED_PACKET_SIZE
                && MqttEncoder.encodedSize(p, version) > limits.maximumPacketSize()) {
            // MQTT-3.1.2-25: a packet over the client's Maximum Packet Size is dropped for this client.
            core.drops().packetTooLarge.increment();
            if (!p.topic().isEmpty() && p.properties().contains(PropertyId.TOPIC_ALIAS)) {
                aliases.unassignOutbound(p.topic()); // this PUBLISH was to announce the alias
            }
            ProtocolLog.LOG.debug("Dropped PUBLISH on {} to {}: larger than its maximum packet size {}.",
                    delivery.message().topic(), clientId, limits.maximumPacketSize());
            return false;
        }
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(clientId, "PUBLISH", ProtocolLog.describe(p));
        }
        counters.increment(Counter.publishSent(p.qos()));
        counters.add(Counter.publishBytesSent(p.qos()), p.payload().readableBytes());
        write(p);
        return true;
    }

    @Override
    public void sendPubRel(int packetId) {
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(clientId, "PUBREL", "(m" + packetId + ")");
        }
        write(new PubRel(packetId));
    }

    static void release(Packet packet) {
        if (packet instanceof Publish p) {
            p.release();
        }
    }
}
