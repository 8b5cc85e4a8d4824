package io.starling.broker.core.protocol;

import io.starling.broker.core.auth.Authorizer;
import io.starling.broker.core.topic.TopicFilter;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.util.ArrayList;
import java.util.List;

/**
 * UNSUBSCRIBE (3.1.1 §3.10, 5.0 §3.10): removes each filter; UNSUBACK even for filters never subscribed.
 * The filters are checked as SUBSCRIBE's are (without the shared-subscription form, as mosquitto): one
 * invalid filter makes the packet malformed (5.0 DISCONNECT 0x81, 3.x a closed socket).
 */
final class UnsubscribeHandler {
    private UnsubscribeHandler() {
    }

    static void handle(Client client, Unsubscribe unsubscribe) {
        ProtocolLog.received(client.clientId, "UNSUBSCRIBE");
        for (String filter : unsubscribe.filters()) {
            String invalid = TopicFilter.invalidReason(filter, client.core.settings().maxTopicLevels());
            if (invalid != null) {
                Disconnects.disconnect(client, ReasonCode.MALFORMED_PACKET, "UNSUBSCRIBE with invalid filter '"
                        + filter + "': " + invalid);
                return;
            }
        }
        List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
        for (String filter : unsubscribe.filters()) {
            ProtocolLog.LOG.debug("\t{}", filter);
            if (client.security.authorizer().canUnsubscribe(client.identity, filter) == Authorizer.Access.DENY) {
                codes.add(ReasonCode.NOT_AUTHORIZED); // the subscription stays (mosquitto 2.0)
                continue;
            }
            // "$share/g" alone is a filter no SUBSCRIBE accepts: nothing to remove (mosquitto answers 0x11)
            boolean removed = TopicFilter.invalidSharedReason(filter) == null
                    && client.session.unsubscribe(Mounts.mount(client.mountPoint(), filter));
            ProtocolLog.UNSUBSCRIBE.debug("{} {}", client.clientId, filter);
            codes.add(removed ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED);
        }
        ProtocolLog.sending(client.clientId, "UNSUBACK");
        int packetId = unsubscribe.packetId();
        StateReports.send(client, new UnsubAck(packetId, client.version.isV5() ? codes : List.of(), Properties.EMPTY), () -> {
            if (client.version.isV5()) { // 3.1.1 has no failure code: no UNSUBACK, the client sends again
                client.write(new UnsubAck(packetId, java.util.Collections.nCopies(codes.size(),
                        ReasonCode.UNSPECIFIED_ERROR), Properties.EMPTY));
            }
        });
    }
}
