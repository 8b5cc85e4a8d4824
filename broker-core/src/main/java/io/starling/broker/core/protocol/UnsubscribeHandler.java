package io.starling.broker.core.protocol;

import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import java.util.ArrayList;
import java.util.List;

/** UNSUBSCRIBE (3.1.1 §3.10, 5.0 §3.10): removes each filter; UNSUBACK even for filters never subscribed. */
final class UnsubscribeHandler {
    private UnsubscribeHandler() {
    }

    static void handle(Client client, Unsubscribe unsubscribe) {
        ProtocolLog.received(client.clientId, "UNSUBSCRIBE");
        List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
        for (String filter : unsubscribe.filters()) {
            ProtocolLog.LOG.debug("\t{}", filter);
            boolean removed = client.session.unsubscribe(Mounts.mount(client.mountPoint, filter));
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
