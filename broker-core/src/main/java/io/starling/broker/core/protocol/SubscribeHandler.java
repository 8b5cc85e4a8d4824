package io.starling.broker.core.protocol;

import io.starling.broker.core.RateLimitedLog;
import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.session.Session;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import java.util.ArrayList;
import java.util.List;

/**
 * SUBSCRIBE (3.1.1 §3.8, 5.0 §3.8). A packet with an invalid filter is malformed, as mosquitto 2.0.11
 * treats it: none of its filters apply, a 5.0 client gets DISCONNECT 0x81 and a 3.x client a closed
 * socket, never a SUBACK failure code (3.1.1 §3.9.3 allows either). SUBACK goes out once the subscriptions are durable
 * ({@link StateReports}), and before the retained messages of the new
 * subscriptions. Subscribing again to the same filter replaces its options and, with retain handling
 * 0, sends the retained messages again (MQTT-3.8.4-3).
 *
 * <p>A SUBSCRIBE may carry at most {@code max_subscribe_filters} filters: each costs a walk of the
 * retained messages it reaches, on this loop. The ones past the limit are refused in SUBACK (5.0: Quota
 * exceeded 0x97; 3.1.1: 0x80), as a filter the broker will not take, and the earlier ones apply;
 * Mosquitto takes any number (100,000 measured with 2.0.11). The walk of one filter stops once the
 * session can take no more (its queue is full, or a QoS 0 client is not reading), so a filter costs
 * at most what the client can be sent.
 */
final class SubscribeHandler {
    private static final RateLimitedLog REFUSALS = new RateLimitedLog();

    private SubscribeHandler() {
    }

    /**
     * Null when the filter is valid. The level limit counts the whole filter, {@code $share/group/}
     * included, as mosquitto counts its '/'; a shared one must also have a share name and a filter.
     */
    static String invalidReason(String filter, int maxLevels) {
        String invalid = TopicFilter.invalidReason(filter, maxLevels);
        return invalid != null ? invalid : TopicFilter.invalidSharedReason(filter);
    }

    private static void refuseTheRest(Client client, Subscribe subscribe, List<Integer> codes) {
        int refused = subscribe.subscriptions().size() - codes.size();
        client.core.drops().subscribeFiltersRefused.add(refused);
        REFUSALS.warn(ProtocolLog.LOG, "SUBSCRIBE from {} with {} filters: the {} past max_subscribe_filters refused",
                client.clientId, subscribe.subscriptions().size(), refused);
        int code = client.version.isV5() ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.V3_SUBSCRIPTION_FAILURE;
        for (int i = 0; i < refused; i++) {
            codes.add(code);
        }
    }

    static void handle(Client client, Subscribe subscribe) {
        ProtocolLog.received(client.clientId, "SUBSCRIBE");
        int maxLevels = client.core.settings().maxTopicLevels();
        for (Subscription s : subscribe.subscriptions()) {
            String invalid = invalidReason(s.filter(), maxLevels);
            if (invalid != null) {
                Disconnects.disconnect(client, ReasonCode.MALFORMED_PACKET, "SUBSCRIBE with invalid filter '"
                        + s.filter() + "': " + invalid);
                return;
            }
        }
        Session session = client.session;
        int subscriptionId = (int) subscribe.properties().number(PropertyId.SUBSCRIPTION_IDENTIFIER, 0);
        List<Integer> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<Subscription> sendRetained = new ArrayList<>();
        int maxFilters = client.core.settings().maxSubscribeFilters();
        List<Subscription> granted = new ArrayList<>();
        for (Subscription s : subscribe.subscriptions()) {
            if (maxFilters > 0 && codes.size() >= maxFilters) {
                refuseTheRest(client, subscribe, codes);
                break;
            }
            QoS qos = s.options().qos();
            if (client.bridge && !client.version.isV5()) {
                // As mosquitto: a 3.x bridge has no subscription options, so it gets those that keep two bridged
                // brokers from looping (its own messages not sent back) and keep retained flags across.
                s = new Subscription(s.filter(), new io.starling.mqtt.codec.SubscriptionOptions(qos, true, true, 0));
            }
            ProtocolLog.LOG.debug("\t{} (QoS {})", s.filter(), qos.value());
            boolean isShared = TopicFilter.isShared(s.filter());
            if (isShared && s.options().noLocal()) {
                Disconnects.disconnect(client, ReasonCode.PROTOCOL_ERROR, "No Local on shared subscription " + s.filter()); // MQTT-3.8.3-4
                return;
            }
            if (client.security.authorizer().canSubscribe(client.identity, s.filter()) == Authorizer.Access.DENY) {
                ProtocolLog.LOG.debug("Denied subscription '{}' to {}.", s.filter(), client.clientId);
                codes.add(client.version.isV5() ? ReasonCode.NOT_AUTHORIZED : ReasonCode.V3_SUBSCRIPTION_FAILURE);
                continue;
            }
            if (qos.value() > client.listener.maxQos()) {
                qos = QoS.of(client.listener.maxQos()); // granted below what was asked (MQTT-3.9.3)
                s = new Subscription(s.filter(), new io.starling.mqtt.codec.SubscriptionOptions(qos,
                        s.options().noLocal(), s.options().retainAsPublished(), s.options().retainHandling()));
            }
            if (!client.mountPoint().isEmpty()) {
                s = new Subscription(Mounts.mount(client.mountPoint(), s.filter()), s.options());
            }
            boolean existed = session.subscribe(s.filter(), new SubscriberOptions(s.options(), subscriptionId));
            granted.add(s);
            ProtocolLog.SUBSCRIBE.debug("{} {} {}", client.clientId, qos.value(), s.filter());
            codes.add(qos.value());
            int handling = s.options().retainHandling();
            // No retained messages on a shared subscription (MQTT 5 §4.8.2).
            if (!isShared && (handling == 0 || handling == 1 && !existed)) {
                sendRetained.add(s);
            }
        }
        ProtocolLog.sending(client.clientId, "SUBACK");
        int packetId = subscribe.packetId();
        StateReports.after(client, () -> {
            client.write(new SubAck(packetId, codes, Properties.EMPTY));
            sendRetained(client, session, sendRetained, subscriptionId);
        }, () -> {
            // Not on disk: every filter of the packet is refused, and forgotten so that memory agrees.
            for (Subscription s : granted) {
                session.unsubscribe(s.filter());
            }
            client.write(new SubAck(packetId, java.util.Collections.nCopies(codes.size(),
                    client.version.isV5() ? ReasonCode.UNSPECIFIED_ERROR : ReasonCode.V3_SUBSCRIPTION_FAILURE),
                    Properties.EMPTY));
        });
    }

    /**
     * The retained messages of the new subscriptions, after their SUBACK: those the subscriber may
     * read, at the subscription's QoS when upgrade_outgoing_qos is on (as mosquitto, for retained
     * messages too), and with check_retain_source only those whose publisher may still write them.
     */
    private static void sendRetained(Client client, Session session, List<Subscription> sendRetained, int subscriptionId) {
        if (client.session != session) {
            return; // taken over meanwhile
        }
        List<Integer> ids = subscriptionId > 0 ? List.of(subscriptionId) : List.of();
        boolean upgrade = client.core.settings().upgradeOutgoingQos();
        for (Subscription s : sendRetained) {
            QoS granted = s.options().qos();
            Authorizer authorizer = client.security.authorizer();
            client.core.retained().match(s.filter(), m -> {
                if (authorizer != Authorizer.ALLOW_ALL
                        && authorizer.canRead(client.identity, m.topic()) == Authorizer.Access.DENY
                        || !RetainSource.mayStillWrite(client.core, m)) {
                    m.release(); // skipped for this subscriber; it stays retained
                    return true;
                }
                if (m.expiryAtNanos() != Message.NEVER_EXPIRES && client.core.clock().nanoTime() - m.expiryAtNanos() >= 0) {
                    client.core.drops().expired.increment();
                    m.release(); // skipped before it takes a packet id, as mosquitto does
                    return true;
                }
                QoS qos = upgrade ? granted : QoS.min(m.qos(), granted);
                session.deliver(session.stored(new Delivery(m, qos, true, ids)));
                // Past this point every further message would be dropped: stop the walk, which
                // '#' filters against a large store would otherwise make as long as the store.
                return !session.cannotTakeMore(qos);
            });
        }
    }
}
