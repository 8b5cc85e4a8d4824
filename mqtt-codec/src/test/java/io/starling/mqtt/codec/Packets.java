package io.starling.mqtt.codec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Test helpers over packets. */
final class Packets {
    private Packets() {
    }

    /** Releases the payload of a decoded PUBLISH; anything else holds no buffer. */
    static void release(Object result) {
        if (result instanceof Publish p) {
            p.release();
        }
    }

    /**
     * The packet with its properties sorted by identifier (same-identifier properties keep their
     * order), for comparing with codecs that do not keep the wire order (Netty groups by identifier).
     */
    static Packet canonical(Packet packet) {
        switch (packet.type()) {
            case CONNECT: {
                Connect c = (Connect) packet;
                Will w = c.will() == null ? null : new Will(c.will().topic(), c.will().payload(), c.will().qos(),
                        c.will().retain(), sorted(c.will().properties()));
                return new Connect(c.version(), c.clientId(), c.cleanStart(), c.keepAlive(), c.username(),
                        c.password(), w, sorted(c.properties()));
            }
            case CONNACK: {
                ConnAck c = (ConnAck) packet;
                return new ConnAck(c.sessionPresent(), c.reasonCode(), sorted(c.properties()));
            }
            case PUBLISH: {
                Publish p = (Publish) packet;
                return new Publish(p.dup(), p.qos(), p.retain(), p.topic(), p.packetId(), sorted(p.properties()),
                        p.payload());
            }
            case PUBACK: {
                PubAck a = (PubAck) packet;
                return new PubAck(a.packetId(), a.reasonCode(), sorted(a.properties()));
            }
            case PUBREC: {
                PubRec a = (PubRec) packet;
                return new PubRec(a.packetId(), a.reasonCode(), sorted(a.properties()));
            }
            case PUBREL: {
                PubRel a = (PubRel) packet;
                return new PubRel(a.packetId(), a.reasonCode(), sorted(a.properties()));
            }
            case PUBCOMP: {
                PubComp a = (PubComp) packet;
                return new PubComp(a.packetId(), a.reasonCode(), sorted(a.properties()));
            }
            case SUBSCRIBE: {
                Subscribe s = (Subscribe) packet;
                return new Subscribe(s.packetId(), s.subscriptions(), sorted(s.properties()));
            }
            case SUBACK: {
                SubAck s = (SubAck) packet;
                return new SubAck(s.packetId(), s.reasonCodes(), sorted(s.properties()));
            }
            case UNSUBSCRIBE: {
                Unsubscribe u = (Unsubscribe) packet;
                return new Unsubscribe(u.packetId(), u.filters(), sorted(u.properties()));
            }
            case UNSUBACK: {
                UnsubAck u = (UnsubAck) packet;
                return new UnsubAck(u.packetId(), u.reasonCodes(), sorted(u.properties()));
            }
            case DISCONNECT: {
                Disconnect d = (Disconnect) packet;
                return new Disconnect(d.reasonCode(), sorted(d.properties()));
            }
            case AUTH: {
                Auth a = (Auth) packet;
                return new Auth(a.reasonCode(), sorted(a.properties()));
            }
            default:
                return packet;
        }
    }

    /** Whether the packet (or its will) carries any property. */
    static boolean hasProperties(Packet packet) {
        if (packet instanceof Connect c) {
            return !c.properties().isEmpty() || c.will() != null && !c.will().properties().isEmpty();
        }
        Packet sortedCopy = canonical(packet);
        return !sortedCopy.equals(withoutProperties(sortedCopy));
    }

    private static Packet withoutProperties(Packet packet) {
        Properties e = Properties.EMPTY;
        switch (packet.type()) {
            case CONNACK: return new ConnAck(((ConnAck) packet).sessionPresent(), ((ConnAck) packet).reasonCode(), e);
            case PUBLISH: {
                Publish p = (Publish) packet;
                return new Publish(p.dup(), p.qos(), p.retain(), p.topic(), p.packetId(), e, p.payload());
            }
            case PUBACK: return new PubAck(((PubAck) packet).packetId(), ((PubAck) packet).reasonCode(), e);
            case PUBREC: return new PubRec(((PubRec) packet).packetId(), ((PubRec) packet).reasonCode(), e);
            case PUBREL: return new PubRel(((PubRel) packet).packetId(), ((PubRel) packet).reasonCode(), e);
            case PUBCOMP: return new PubComp(((PubComp) packet).packetId(), ((PubComp) packet).reasonCode(), e);
            case SUBSCRIBE: return new Subscribe(((Subscribe) packet).packetId(), ((Subscribe) packet).subscriptions(), e);
            case SUBACK: return new SubAck(((SubAck) packet).packetId(), ((SubAck) packet).reasonCodes(), e);
            case UNSUBSCRIBE: return new Unsubscribe(((Unsubscribe) packet).packetId(), ((Unsubscribe) packet).filters(), e);
            case UNSUBACK: return new UnsubAck(((UnsubAck) packet).packetId(), ((UnsubAck) packet).reasonCodes(), e);
            case DISCONNECT: return new Disconnect(((Disconnect) packet).reasonCode(), e);
            case AUTH: return new Auth(((Auth) packet).reasonCode(), e);
            default: return packet;
        }
    }

    static Properties sorted(Properties properties) {
        List<Property> list = new ArrayList<>(properties.asList());
        list.sort(Comparator.comparingInt(p -> p.id().id()));
        return Properties.of(list);
    }
}
