package io.starling.mqtt.tools;

import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.UnsubAck;
import io.starling.mqtt.codec.Unsubscribe;
import io.starling.mqtt.tools.client.MqttClient;
import io.starling.mqtt.tools.client.PacketTrace;
import java.io.PrintStream;

/**
 * The {@code -d} lines of mosquitto_pub/sub: libmosquitto's log of each packet sent and received, on
 * standard output ("Client ID sending PUBLISH (d0, q1, r0, m1, 'topic', ... (5 bytes))"). A client
 * without an identifier yet shows as "(null)", as in libmosquitto.
 */
final class DebugTrace implements PacketTrace {
    private final PrintStream out;

    DebugTrace(PrintStream out) {
        this.out = out;
    }

    @Override
    public void sent(MqttClient client, Packet packet) {
        String id = "Client " + name(client) + " sending ";
        switch (packet.type()) {
            case PUBLISH:
                line(id + "PUBLISH " + publish((Publish) packet));
                break;
            case PUBACK: {
                PubAck a = (PubAck) packet;
                line(id + "PUBACK (m" + a.packetId() + ", rc" + a.reasonCode() + ")");
                break;
            }
            case PUBREC: {
                PubRec a = (PubRec) packet;
                line(id + "PUBREC (m" + a.packetId() + ", rc" + a.reasonCode() + ")");
                break;
            }
            case PUBREL:
                line(id + "PUBREL (m" + ((PubRel) packet).packetId() + ")");
                break;
            case PUBCOMP:
                line(id + "PUBCOMP (m" + ((PubComp) packet).packetId() + ")");
                break;
            case SUBSCRIBE: {
                Subscribe s = (Subscribe) packet;
                for (Subscription sub : s.subscriptions()) {
                    SubscriptionOptions o = sub.options();
                    int options = (o.noLocal() ? 0x04 : 0) | (o.retainAsPublished() ? 0x08 : 0) | o.retainHandling() << 4;
                    line(id + "SUBSCRIBE (Mid: " + s.packetId() + ", Topic: " + sub.filter() + ", QoS: "
                            + o.qos().value() + ", Options: 0x" + String.format("%02x", options) + ")");
                }
                break;
            }
            case UNSUBSCRIBE: {
                Unsubscribe u = (Unsubscribe) packet;
                for (String filter : u.filters()) {
                    line(id + "UNSUBSCRIBE (Mid: " + u.packetId() + ", Topic: " + filter + ")");
                }
                break;
            }
            default:
                line(id + packet.type());
                break;
        }
    }

    @Override
    public void received(MqttClient client, Packet packet) {
        String id = "Client " + name(client) + " received ";
        switch (packet.type()) {
            case CONNACK:
                line("Client " + assignedName(client, (ConnAck) packet) + " received CONNACK ("
                        + ((ConnAck) packet).reasonCode() + ")");
                break;
            case PUBLISH:
                line(id + "PUBLISH " + publish((Publish) packet));
                break;
            case PUBACK: {
                PubAck a = (PubAck) packet;
                line(id + "PUBACK (Mid: " + a.packetId() + ", RC:" + a.reasonCode() + ")");
                break;
            }
            case PUBREC:
                line(id + "PUBREC (Mid: " + ((PubRec) packet).packetId() + ")");
                break;
            case PUBREL:
                line(id + "PUBREL (Mid: " + ((PubRel) packet).packetId() + ")");
                break;
            case PUBCOMP: {
                PubComp c = (PubComp) packet;
                line(id + "PUBCOMP (Mid: " + c.packetId() + ", RC:" + c.reasonCode() + ")");
                break;
            }
            case UNSUBACK:
                line(id + "UNSUBACK (Mid: " + ((UnsubAck) packet).packetId() + ")");
                break;
            case DISCONNECT:
                line(id + "DISCONNECT (" + ((Disconnect) packet).reasonCode() + ")");
                break;
            default:
                line(id + packet.type());
                break;
        }
    }

    private static String publish(Publish p) {
        return "(d" + (p.dup() ? 1 : 0) + ", q" + p.qos().value() + ", r" + (p.retain() ? 1 : 0) + ", m"
                + p.packetId() + ", '" + p.topic() + "', ... (" + p.payload().readableBytes() + " bytes))";
    }

    private static String name(MqttClient client) {
        String id = client.clientId();
        return id == null || id.isEmpty() ? "(null)" : id;
    }

    private static String assignedName(MqttClient client, ConnAck ack) {
        String assigned = ack.properties().text(io.starling.mqtt.codec.PropertyId.ASSIGNED_CLIENT_IDENTIFIER);
        return assigned != null ? assigned : name(client);
    }

    private void line(String text) {
        synchronized (out) {
            out.print(text + "\n");
            out.flush();
        }
    }
}
