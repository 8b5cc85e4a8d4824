package io.starling.broker.core.protocol;

import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.auth.ClientIdentity;
import io.starling.broker.core.auth.PasswordChecks;
import io.starling.broker.core.session.ClientIdClaims;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.core.sys.Counter;
import io.starling.broker.core.topic.TopicName;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Will;
import io.starling.mqtt.codec.ReasonCode;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CONNECT (3.1.1 §3.1, 5.0 §3.1): checks the client id and keepalive, takes over an existing
 * session (closing its old connection, which may live on another event loop), and answers CONNACK.
 *
 * <p>A takeover runs on the session's owner loop and moves the session to this client's loop (see
 * {@link Session}); while it is on its way this client is CONNECTING, does not read, and holds any
 * packets already decoded.
 */
final class ConnectHandler {
    private static final RateLimitedLog CLAIM_REFUSALS = new RateLimitedLog();
    /** How long a CONNECT may wait for the broker's answer before its connection is closed anyway. */
    static final long CONNECT_ANSWER_BOUND_MILLIS = 5 * 60_000;

    private ConnectHandler() {
    }

    static void handle(Client client, Connect connect) {
        client.counters.increment(Counter.CONNECTS_RECEIVED);
        // The CONNECT came: the CONNECT timeout is met. What follows waits on the broker (a password check, a
        // cluster's claim of the id, a takeover, a lease: each bounded on its own), not on the client, and a
        // wait longer than the timeout must not close it; the keepalive's applies from the CONNACK on. A
        // generous bound stays, so that a wait that never ends (a bug) cannot keep the socket for good.
        client.connection.setReadTimeout(CONNECT_ANSWER_BOUND_MILLIS);
        MqttVersion version = connect.version();
        client.version = version;
        client.connection.setProtocolVersion(version);
        BrokerSettings settings = client.core.settings();
        String clientId = connect.clientId();
        if (ProtocolLog.packets()) {
            ProtocolLog.LOG.debug("Received CONNECT from {} as {} (p{}, c{}, k{})", client.connection.remoteAddress(),
                    clientId.isEmpty() ? "<empty>" : clientId, ProtocolLog.protocolNumber(version),
                    connect.cleanStart() ? 1 : 0, connect.keepAlive());
        }
        if (clientId.isEmpty()) {
            // 3.1 requires a client id; 3.1.1 allows an empty one only with a clean session (MQTT-3.1.3-8).
            boolean allowed = client.listenerNow().allowZeroLengthClientId() && version != MqttVersion.MQTT_3_1
                    && (connect.cleanStart() || version.isV5());
            if (!allowed) {
                // As mosquitto 2.0.11: 5.0 "unspecified error", 3.x "identifier rejected".
                refuse(client, ReasonCode.UNSPECIFIED_ERROR, ReasonCode.V3_IDENTIFIER_REJECTED,
                        "empty client id not allowed");
                return;
            }
            clientId = client.listenerNow().autoIdPrefix() + UUID.randomUUID().toString().toUpperCase();
        }
        client.clientId = clientId;
        if (settings.clientIdPrefixes() != null && !clientId.startsWith(settings.clientIdPrefixes())
                && !client.connection.trusted()) {
            refuse(client, ReasonCode.NOT_AUTHORIZED, "client id without the prefix '"
                    + settings.clientIdPrefixes() + "' (clientid_prefixes)"); // as mosquitto: not authorised
            return;
        }
        if (version != MqttVersion.MQTT_5 && connect.keepAlive() > settings.maxKeepAlive()) {
            // Mosquitto refuses a 3.x client whose keepalive exceeds max_keepalive with "identifier rejected".
            refuse(client, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "keepalive " + connect.keepAlive()
                    + " above max_keepalive " + settings.maxKeepAlive());
            return;
        }
        if (client.core.isShuttingDown()) {
            refuse(client, ReasonCode.SERVER_UNAVAILABLE, "the broker is shutting down");
            return;
        }
        Will will = connect.will();
        if (will != null) {
            String reason = TopicName.invalidReason(will.topic(), settings.maxTopicLevels());
            if (reason != null) {
                Disconnects.silently(client, "invalid will topic: " + reason);
                return;
            }
            if (will.qos().value() > client.listener.maxQos()) {
                if (!version.isV5()) {
                    // As mosquitto: 3.x has no return code for it, the connection is closed without CONNACK.
                    Disconnects.silently(client, "will QoS above the maximum QoS");
                    return;
                }
                refuse(client, ReasonCode.QOS_NOT_SUPPORTED, "will QoS above the maximum QoS"); // MQTT-3.2.2-12
                return;
            }
            if (settings.messageSizeLimit() > 0 && will.payload().length > settings.messageSizeLimit()) {
                // As mosquitto: 5.0 "packet too large", 3.x "not authorised".
                refuse(client, ReasonCode.PACKET_TOO_LARGE, ReasonCode.V3_NOT_AUTHORIZED, "will payload of "
                        + will.payload().length + " bytes over message_size_limit " + settings.messageSizeLimit());
                return;
            }
            if (will.retain() && !settings.retainAvailable()) {
                refuse(client, ReasonCode.RETAIN_NOT_SUPPORTED, "retained will while retain_available is false");
                return;
            }
        }
        boolean certificateIsCredential = client.connection.usernameFromCertificate();
        if (certificateIsCredential) {
            // use_identity_as_username: the certificate's identity replaces the user name, and the
            // CONNECT's user name and password are ignored; no identity, no entry (as mosquitto).
            String certificateUser = client.connection.tlsUsername();
            if (certificateUser == null) {
                refuse(client, ReasonCode.BAD_USER_NAME_OR_PASSWORD, "no usable identity in the client certificate");
                return;
            }
            connect = new Connect(connect.version(), connect.clientId(), connect.cleanStart(), connect.keepAlive(),
                    certificateUser, null, connect.will(), connect.properties());
        }
        if (connect.properties().contains(PropertyId.AUTHENTICATION_METHOD)) {
            EnhancedAuth.start(client, connect);
            return;
        }
        if (certificateIsCredential || client.connection.trusted()) {
            proceed(client, connect);
            return;
        }
        // A slow hash runs on the password check threads; the connection waits, reading nothing, and
        // holds any packets already read until the answer is back on its loop. A fast one answers now.
        client.state = Client.State.CONNECTING;
        Connect checked = connect;
        client.passwordCheck = client.core.passwordChecks().check(PasswordChecks.Priority.LOGIN,
                client.security.authenticator(), clientId, connect.username(), connect.password(),
                client.outbox::execute, decision -> {
                    client.passwordCheck = null;
                    if (client.state == Client.State.CONNECTING) {
                        afterPasswordCheck(client, checked, decision);
                    }
                });
        holdReadingWhileWaiting(client);
    }

    /**
     * Stops reading while the CONNECT waits for something on another thread or loop (a slow password
     * check, a takeover, the store); what the client sent behind it meanwhile is held by the client.
     * Called once the synchronous part is done rather than before it: most CONNECTs are answered within
     * the read, and stopping and resuming reading for them cost two system calls (epoll_ctl) per connect
     * for nothing (issue 16). Whatever is answered later resumes reading in {@link #connected}.
     */
    private static void holdReadingWhileWaiting(Client client) {
        if (client.state == Client.State.CONNECTING) {
            client.connection.setReading(false);
        }
    }

    private static void afterPasswordCheck(Client client, Connect connect, Authenticator.Decision decision) {
        if (decision == Authenticator.Decision.SERVER_BUSY) {
            // Not logged per client: a flood would flood the log; PasswordChecks logs them per interval.
            refuse(client, ReasonCode.SERVER_BUSY, null);
            return;
        }
        if (decision != Authenticator.Decision.ALLOW) {
            refuse(client, decision == Authenticator.Decision.BAD_USERNAME_OR_PASSWORD
                    ? ReasonCode.BAD_USER_NAME_OR_PASSWORD : ReasonCode.NOT_AUTHORIZED,
                    connect.username() == null ? "not authorised (anonymous)" : "not authorised");
            return;
        }
        client.password = connect.password();
        client.passwordChecked = true;
        proceed(client, connect);
    }

    /** The client is authenticated: take over or create its session. */
    static void proceed(Client client, Connect connect) {
        BrokerSettings settings = client.core.settings();
        MqttVersion version = connect.version();
        Will will = connect.will();
        client.identity = new ClientIdentity(client.clientId, connect.username());
        client.bridge = connect.bridge();
        // A will the client may not publish ($SYS, $share, the ACL) is accepted as mosquitto accepts
        // it, and dropped when it is sent (Wills checks it then, against the rules in force).
        client.will = will;
        client.limits = ClientLimits.of(connect);
        if (version.isV5()) {
            client.aliases = new TopicAliases(client.listener.maxTopicAlias(), client.limits.topicAliasMaximum());
            client.connectExpiryInterval = connect.properties().number(PropertyId.SESSION_EXPIRY_INTERVAL, 0);
        } else {
            client.connectExpiryInterval = connect.cleanStart() ? 0 : Session.NEVER_EXPIRES;
        }
        if (client.connectExpiryInterval == Session.NEVER_EXPIRES && settings.persistentClientExpirationSeconds() > 0) {
            // persistent_client_expiration: "never" becomes the configured time (mosquitto applies it to both versions)
            client.connectExpiryInterval = settings.persistentClientExpirationSeconds();
        }
        client.state = Client.State.CONNECTING;
        client.claiming = true;
        ClientIdClaims claims = client.core.clientIdClaims();
        if (claims == ClientIdClaims.LOCAL || connect.clientId().isEmpty()) {
            // An id the broker assigned is unique by construction: nothing to claim, nothing to keep.
            claim(client, connect);
        } else {
            claimClusterWide(client, connect, claims);
        }
        holdReadingWhileWaiting(client);
    }

    /**
     * A cluster grants the client id before the session is taken (issue 17): the connection waits,
     * reading nothing, as for a slow password check. Without a grant (no majority) the CONNECT is
     * refused with "server unavailable" (5.0: 0x88; 3.x: 3) rather than risk two live sessions with one
     * id; counted as a refusal and logged once per second, not per client (a partition refuses many).
     */
    private static void claimClusterWide(Client client, Connect connect, ClientIdClaims claims) {
        CompletionStage<ClientIdClaims.Claim> answer;
        try {
            answer = claims.claim(client.clientId);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, error) -> client.outbox.execute(() -> {
            if (client.state != Client.State.CONNECTING) {
                if (error == null && result.movedSession() != null) { // a session on its way: nobody takes it
                    result.movedSession().thenAccept(moved -> {
                        if (moved != null) {
                            moved.release();
                        }
                    });
                    claims.moveSettled(client.clientId, result.token());
                }
                return; // closed or shut down meanwhile: it takes no session over
            }
            if (error == null && result.granted()) {
                client.claimToken = result.token();
                if (result.movedSession() != null) {
                    awaitMovedSession(client, connect, result.movedSession());
                } else {
                    claim(client, connect);
                }
                return;
            }
            client.claiming = false;
            CLAIM_REFUSALS.warn(ProtocolLog.LOG, "Client {} from {} refused: the cluster could not grant its client id ({}).",
                    client.clientId, client.connection.remoteAddress(), error != null ? error.toString() : result);
            refuse(client, ReasonCode.SERVER_UNAVAILABLE, ReasonCode.V3_SERVER_UNAVAILABLE, null);
        }));
    }

    /**
     * The id was held on another node, which hands its session over (a cluster's takeover): the CONNACK
     * waits for it (the cluster bounds the wait and then answers null), and the session is taken in as
     * the one found here would be taken over: Session Present as on one node.
     */
    private static void awaitMovedSession(Client client, Connect connect,
                                          CompletionStage<StoredState.RestoredSession> moved) {
        moved.whenComplete((arrived, error) -> client.outbox.execute(() -> {
            boolean settled = true;
            try {
                settled = takeMovedSession(client, connect, arrived);
            } finally {
                if (settled) {
                    moveSettled(client);
                }
            }
        }));
    }

    private static void moveSettled(Client client) {
        client.core.clientIdClaims().moveSettled(client.clientId, client.claimToken);
    }

    /**
     * On the client's loop: the moved session arrived (null: none came). Returns false when it goes on
     * on another loop ({@link #replaceStale}), which then says it settled.
     */
    private static boolean takeMovedSession(Client client, Connect connect, StoredState.RestoredSession arrived) {
        StoredState.RestoredSession state = arrived;
        if (state != null && state.will() != null) {
            Wills.releaseMovedOnTakeover(client.core, state, connect.cleanStart()); // as on one node
            state = state.withWill(null);
        }
        if (client.state != Client.State.CONNECTING) {
            if (state != null) {
                state.release();
            }
            return true;
        }
        if (state == null) {
            claim(client, connect);
            return true;
        }
        Session here = client.core.sessions().get(client.clientId);
        if (here != null) {
            StoredState.RestoredSession taken = state;
            here.owner().execute(() -> replaceStale(client, connect, here, taken));
            return false;
        }
        adopt(client, connect, state);
        return true;
    }

    /**
     * A session for the id is here too, on its owner loop. One left from before the id moved away (restored
     * from this node's store, or offline since, holding an older claim) is stale: the moved one is newer and
     * replaces it. One held by a newer claim (a CONNECT that raced) wins: the moved copy goes.
     */
    private static void replaceStale(Client client, Connect connect, Session here, StoredState.RestoredSession state) {
        if (!here.owner().inLoop()) {
            here.owner().execute(() -> replaceStale(client, connect, here, state));
            return;
        }
        boolean stale = !here.isEnded() && !here.isOnline() && here.claimToken() < client.claimToken;
        if (stale) {
            ProtocolLog.LOG.info("Dropped the stale session of {} kept here: a newer one moved from another node.",
                    client.clientId);
            here.end();
            client.core.sessions().remove(here);
        }
        client.outbox.execute(() -> {
            try {
                if (client.state != Client.State.CONNECTING) {
                    state.release();
                    return;
                }
                if (!stale && !here.isEnded()) {
                    ProtocolLog.LOG.warn("Dropped the session of {} moved from another node: a newer one is here.",
                            client.clientId);
                    state.release();
                    claim(client, connect);
                    return;
                }
                adopt(client, connect, state);
            } finally {
                moveSettled(client);
            }
        });
    }

    /** Registers the moved session here and goes on as a takeover of it; on the client's loop. */
    private static void adopt(Client client, Connect connect, StoredState.RestoredSession state) {
        Session moving = new Session(client.clientId, client.outbox, client.core.sessionContext());
        // Registered before it writes to the store: one that lost the race must not touch the winner's copy.
        // Another CONNECT that finds it takes it over on this loop, after the adoption.
        if (client.core.sessions().putIfAbsent(moving) != moving) {
            state.release();
            claim(client, connect);
            return;
        }
        moving.adopt(state);
        moving.setIdentity(new ClientIdentity(client.clientId, state.header().username()));
        moving.setSecurity(client.security, client.connection.localPort());
        complete(client, connect, moving, moving.isPersistent());
    }


    /** Answers a CONNECT whose protocol level the broker does not speak (MQTT-3.1.2-2). */
    static void refuseProtocolVersion(Client client, Malformed malformed) {
        ProtocolLog.LOG.info("Client from {} disconnected: {}.", client.connection.remoteAddress(), malformed.reason());
        client.counters.increment(Counter.CONNECTS_RECEIVED);
        client.counters.increment(Counter.CONNECTS_REFUSED_OTHER);
        // The level is unknown to us, so answer in the 3.1.1 format, as mosquitto does.
        client.version = MqttVersion.MQTT_3_1_1;
        client.connection.setProtocolVersion(MqttVersion.MQTT_3_1_1);
        client.write(new ConnAck(false, ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION, Properties.EMPTY));
        client.state = Client.State.CLOSED;
        client.connection.close();
    }

    /** @param why for the log; null when the caller counts and logs the refusal itself */
    static void refuse(Client client, int v5Code, String why) {
        refuse(client, v5Code, ReasonCode.connackV3(v5Code), why);
    }

    /**
     * Refuses the CONNECT with {@code v5Code} (5.0) or {@code v3Code} (3.x) and closes the connection. A
     * 5.0 refusal carries Maximum QoS when the listener's is below 2, as mosquitto's does.
     */
    static void refuse(Client client, int v5Code, int v3Code, String why) {
        if (why != null) {
            ProtocolLog.LOG.info("Client {} from {} refused: {}.", client.clientId, client.connection.remoteAddress(), why);
        }
        boolean credentials = v5Code == ReasonCode.BAD_USER_NAME_OR_PASSWORD || v5Code == ReasonCode.NOT_AUTHORIZED
                || v5Code == ReasonCode.BAD_AUTHENTICATION_METHOD;
        client.counters.increment(credentials ? Counter.CONNECTS_REFUSED_AUTH : Counter.CONNECTS_REFUSED_OTHER);
        int code = client.version.isV5() ? v5Code : v3Code;
        if (ProtocolLog.packets()) {
            ProtocolLog.sending(client.clientId, "CONNACK", "(0, " + code + ")");
        }
        client.write(new ConnAck(false, code, ConnAckProperties.ofRefusal(client)));
        client.state = Client.State.CLOSED;
        client.connection.close();
    }

    /** A resumed session keeps only the subscriptions the current ACL still allows. */
    private static void recheckSubscriptions(Client client, Session session) {
        Authorizer authorizer = client.security.authorizer();
        if (authorizer == Authorizer.ALLOW_ALL) {
            return;
        }
        for (String filter : session.subscriptionFilters()) {
            if (authorizer.canSubscribe(client.identity, filter) == Authorizer.Access.DENY) {
                ProtocolLog.LOG.info("Removed subscription {} of {}: no longer allowed by the ACL.", filter, client.clientId);
                session.unsubscribe(filter);
            }
        }
    }

    /** Finds or creates the session for the client id, taking it over when it exists. */
    private static void claim(Client client, Connect connect) {
        Session existing = client.core.sessions().get(client.clientId);
        if (existing == null) {
            Session fresh = new Session(client.clientId, client.outbox, client.core.sessionContext());
            Session registered = client.core.sessions().putIfAbsent(fresh);
            if (registered == fresh) {
                complete(client, connect, fresh, false);
                return;
            }
            existing = registered;
        }
        Session target = existing;
        target.owner().execute(() -> takeOver(client, connect, target));
    }

    /** Runs on the session's owner loop: detaches the old connection and moves the session to the new one. */
    private static void takeOver(Client client, Connect connect, Session session) {
        if (!session.owner().inLoop()) {
            session.owner().execute(() -> takeOver(client, connect, session)); // it moved meanwhile
            return;
        }
        if (session.isEnded()) {
            client.outbox.execute(() -> claim(client, connect)); // ended before we got it: start afresh
            return;
        }
        if (session.link() instanceof Client old) {
            old.closeForTakeover(connect.cleanStart());
        }
        boolean present = session.isPersistent();
        session.moveTo(client.outbox, () -> complete(client, connect, session, present));
    }

    /** Runs on the client's loop with the session now owned here. */
    private static void complete(Client client, Connect connect, Session session, boolean hadState) {
        client.claiming = false;
        session.setClaimToken(client.claimToken); // this connection's claim from now on, even if it died meanwhile
        if (client.state != Client.State.CONNECTING) {
            lost(client, session); // the new connection died while the session travelled here
            return;
        }
        boolean sessionPresent = hadState && !connect.cleanStart();
        client.core.store().beginChanges(); // the CONNACK reports what follows
        // The client is back within its will delay: as mosquitto, the will is discarded whether or not the
        // session is resumed (MQTT-3.1.3-9; the specification leaves a clean start open).
        session.discardPendingWill();
        if (!sessionPresent) {
            // MQTT-3.1.2-6: discard any previous session, and a taken-over clean session's state,
            // which ended with its connection and must not be reused.
            session.clear();
        }
        session.setExpiryInterval(client.connectExpiryInterval);
        session.setIdentity(client.identity);
        session.setMqtt5(client.version == MqttVersion.MQTT_5);
        session.setSecurity(client.security, client.connection.localPort());
        session.saveHeader(true);
        if (sessionPresent) {
            recheckSubscriptions(client, session);
        }
        connected(client, connect, session, sessionPresent);
        if (client.lostWhileClaiming) {
            client.onConnectionLost(); // after what it read before the close took effect
        }
    }

    /** The connection died while its session was being set up: treat it as that connection lost. */
    private static void lost(Client client, Session session) {
        session.setExpiryInterval(client.connectExpiryInterval);
        session.saveHeader(false);
        if (client.connectExpiryInterval == 0) {
            SessionEnd.end(client.core, session);
        } else {
            session.startExpiryTimer(() -> SessionEnd.end(client.core, session));
        }
    }

    /**
     * The client is connected, and what it sent behind the CONNECT takes effect now, in order, as on
     * mosquitto's single thread (issue 15). The CONNACK reports the session (present, or new and
     * persistent from now on): it leaves once that is on disk, and everything the client is sent
     * meanwhile waits behind it ({@link HeldOutput}), a PUBACK for a PUBLISH read behind the CONNECT
     * included, which leaves once its message is durable too.
     */
    private static void connected(Client client, Connect connect, Session session, boolean sessionPresent) {
        client.session = session;
        client.receiveQuota = new ReceiveQuota(client.core.settings().inflightLimit(), session.incomingQos2Count());
        client.state = Client.State.CONNECTED;
        client.counters.add(Counter.CLIENTS_CONNECTED, 1);
        int keepAlive = ConnAckProperties.keepAlive(client, connect);
        client.keepAlive = keepAlive;
        ConnAck connAck = new ConnAck(sessionPresent, ReasonCode.SUCCESS, ConnAckProperties.of(client, connect, keepAlive));
        if (MqttEncoder.encodedSize(connAck, client.version) > client.limits.maximumPacketSize()) {
            // MQTT-3.1.2-25: not even the CONNACK may exceed the client's Maximum Packet Size. As mosquitto,
            // the client counts as connected and lost at once: its will goes, its session stays.
            ProtocolLog.CONNECTIONS.info("Client {} disconnected due to oversize packet.", client.clientId);
            client.core.drops().packetTooLarge.increment();
            client.markClosing();
            client.connection.close();
            return;
        }
        StateReports.then(client, durable -> {
            if (!client.isOpen()) {
                return; // lost meanwhile: handled as any lost connection
            }
            if (durable) {
                if (!client.connection.trusted()) { // a bridge's local side: the bridge logs its own connection
                    ProtocolLog.CONNECTIONS.info("New {} connected from {} as {} (p{}, c{}, k{}{}).",
                            connect.bridge() ? "bridge" : "client", client.connection.remoteAddress(), client.clientId,
                            ProtocolLog.protocolNumber(client.version), connect.cleanStart() ? 1 : 0, connect.keepAlive(),
                            connect.username() == null ? "" : ", u'" + connect.username() + "'");
                }
                if (ProtocolLog.packets()) {
                    ProtocolLog.sending(client.clientId, "CONNACK", "(" + (sessionPresent ? 1 : 0) + ", 0)");
                }
                client.write(connAck);
            } else {
                notStored(client);
            }
        });
        client.connection.connected();
        client.connection.setReadTimeout(keepAlive * 1500L);
        session.attach(client);
        client.connection.setReading(true);
        Packet held;
        while (client.state == Client.State.CONNECTED && (held = client.pollPending()) != null) {
            client.onPacket(held); // drops what follows a DISCONNECT or violation
        }
    }

    /**
     * The session could not be stored (a full disk): the client is refused after all, although what it
     * sent meanwhile took effect (its PUBACKs, waiting for the same store, are withheld, so it sends
     * again). It leaves without its will, as a refused client does.
     */
    private static void notStored(Client client) {
        ProtocolLog.LOG.info("Client {} from {} refused: its session could not be stored (session store failed).",
                client.clientId, client.connection.remoteAddress());
        client.counters.increment(Counter.CONNECTS_REFUSED_OTHER);
        if (client.state == Client.State.CONNECTED) {
            client.write(new ConnAck(false, client.version.isV5() ? ReasonCode.SERVER_UNAVAILABLE
                    : ReasonCode.connackV3(ReasonCode.SERVER_UNAVAILABLE), ConnAckProperties.ofRefusal(client)));
        }
        client.will = null;
        client.markClosing();
        client.closeConnection();
        client.onConnectionLost(); // the session goes offline now, as from a lost connection
    }
}
