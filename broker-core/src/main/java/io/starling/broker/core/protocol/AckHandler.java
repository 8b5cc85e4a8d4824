package io.starling.broker.core.protocol;

import io.starling.broker.core.session.InflightWindow.Stage;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.ReasonCode;

/**
 * Acknowledgements of messages the broker sent (PUBACK, PUBREC, PUBCOMP), handled as mosquitto
 * 2.0.11 handles them (measured with raw packets):
 * <ul>
 *   <li>an acknowledgement for a packet id nothing is inflight under is logged and ignored (after a
 *       reconnect it can legitimately happen), except that a successful PUBREC is still answered
 *       with PUBREL, so that the client can finish its side of the flow;</li>
 *   <li>an acknowledgement of the wrong kind for the message inflight under its id (PUBREC or PUBCOMP
 *       for QoS 1, PUBACK for QoS 2, PUBCOMP before PUBREC) is a protocol error: the connection is
 *       closed with nothing sent ({@link Disconnects#silently}).</li>
 * </ul>
 */
final class AckHandler {
    private AckHandler() {
    }

    static void handle(Client client, Packet packet) {
        if (packet instanceof PubAck ack) {
            if (ProtocolLog.packets()) {
                ProtocolLog.received(client.clientId, "PUBACK", "(Mid: " + ack.packetId() + ", RC:" + ack.reasonCode() + ")");
            }
            if (expects(client, "PUBACK", ack.packetId(), Stage.AWAITING_PUBACK, null)) {
                client.session.onPubAck(ack.packetId());
            }
        } else if (packet instanceof PubRec rec) {
            if (ProtocolLog.packets()) {
                ProtocolLog.received(client.clientId, "PUBREC", "(Mid: " + rec.packetId() + ")");
            }
            if (client.session.inflightStage(rec.packetId()) == null) {
                unknown(client, "PUBREC", rec.packetId());
                if (rec.reasonCode() < ReasonCode.UNSPECIFIED_ERROR) {
                    client.sendPubRel(rec.packetId()); // answered all the same, as by mosquitto
                }
            } else if (expects(client, "PUBREC", rec.packetId(), Stage.AWAITING_PUBREC, Stage.AWAITING_PUBCOMP)) {
                switch (client.session.onPubRec(rec.packetId(), rec.reasonCode())) {
                    case SEND_PUBREL:
                        // PUBREL says the message is let go: withheld until that is on disk (resent at reconnect).
                        StateReports.after(client, () -> client.sendPubRel(rec.packetId()), () -> { });
                        break;
                    case FLOW_ENDED:
                        break; // the client refused the message: no PUBREL (mosquitto's handle__pubrec)
                    case PROTOCOL_ERROR:
                        Disconnects.silently(client, "sent a PUBREC with reason code " + rec.reasonCode()
                                + " for a message past PUBREC");
                        break;
                    default:
                        unknown(client, "PUBREC", rec.packetId());
                        break;
                }
            }
        } else if (packet instanceof PubComp comp) {
            if (ProtocolLog.packets()) {
                ProtocolLog.received(client.clientId, "PUBCOMP", "(Mid: " + comp.packetId() + ")");
            }
            if (expects(client, "PUBCOMP", comp.packetId(), Stage.AWAITING_PUBCOMP, null)) {
                client.session.onPubComp(comp.packetId());
            }
        }
    }

    /**
     * Whether the message inflight under {@code packetId} awaits this acknowledgement; false when no
     * message is inflight under it (ignored) or it awaits another kind (the connection is closed).
     */
    private static boolean expects(Client client, String what, int packetId, Stage stage, Stage orStage) {
        Stage actual = client.session.inflightStage(packetId);
        if (actual == null) {
            unknown(client, what, packetId);
            return false;
        }
        if (actual != stage && actual != orStage) {
            Disconnects.silently(client, what + " for packet id " + packetId + ", which awaits " + actual);
            return false;
        }
        return true;
    }

    private static void unknown(Client client, String what, int packetId) {
        ProtocolLog.LOG.debug("Received {} from {} for unknown packet id {}; ignored.", what, client.clientId, packetId);
    }
}
