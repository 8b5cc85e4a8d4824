package io.starling.broker.core.protocol;

import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;

/**
 * Acknowledgements of messages the broker sent (PUBACK, PUBREC, PUBCOMP). An acknowledgement for a
 * packet id that is not inflight is logged and ignored, as mosquitto does: it is harmless, and after
 * a reconnect it can legitimately happen.
 */
final class AckHandler {
    private AckHandler() {
    }

    static void handle(Client client, Packet packet) {
        if (packet instanceof PubAck ack) {
            if (ProtocolLog.packets()) {
                ProtocolLog.received(client.clientId, "PUBACK", "(Mid: " + ack.packetId() + ", RC:" + ack.reasonCode() + ")");
            }
            if (!client.session.onPubAck(ack.packetId())) {
                unknown(client, "PUBACK", ack.packetId());
            }
        } else if (packet instanceof PubRec rec) {
            if (ProtocolLog.packets()) {
                ProtocolLog.received(client.clientId, "PUBREC", "(Mid: " + rec.packetId() + ")");
            }
            switch (client.session.onPubRec(rec.packetId(), rec.reasonCode())) {
                case SEND_PUBREL:
                    // PUBREL says the message is let go: withheld until that is on disk (resent at reconnect).
                    StateReports.after(client, () -> client.sendPubRel(rec.packetId()), () -> { });
                    break;
                case FLOW_ENDED:
                    break; // the client refused the message: no PUBREL (mosquitto's handle__pubrec)
                case PROTOCOL_ERROR:
                    Disconnects.protocolError(client, "sent a PUBREC with reason code " + rec.reasonCode()
                            + " for a message past PUBREC");
                    break;
                default:
                    unknown(client, "PUBREC", rec.packetId());
                    break;
            }
        } else if (packet instanceof PubComp comp) {
            if (ProtocolLog.packets()) {
                ProtocolLog.received(client.clientId, "PUBCOMP", "(Mid: " + comp.packetId() + ")");
            }
            if (!client.session.onPubComp(comp.packetId())) {
                unknown(client, "PUBCOMP", comp.packetId());
            }
        }
    }

    private static void unknown(Client client, String what, int packetId) {
        ProtocolLog.LOG.debug("Received {} from {} for unknown packet id {}; ignored.", what, client.clientId, packetId);
    }
}
