package io.starling.mqtt.tools.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.PubAck;
import io.starling.mqtt.codec.PubComp;
import io.starling.mqtt.codec.PubRec;
import io.starling.mqtt.codec.PubRel;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.UnsubAck;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The inbound half of a {@link MqttClient}: dispatches each packet from the server, answers incoming
 * QoS 1 and 2 messages, resolves topic aliases the server uses (5.0 §3.3.2.3.4), sends PINGREQ when the
 * connection has been quiet for the keep alive interval, and flushes once per read batch.
 *
 * <p>Threading: the connection's event loop only.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private final MqttClient client;
    private final MessageListener listener;
    private final boolean overWebSocket;
    /** QoS 2 packet identifiers delivered and awaiting PUBREL: a resent PUBLISH is not delivered again. */
    private final BitSet qos2Received = new BitSet();
    private Map<Integer, String> topicAliases;
    private boolean pingOutstanding;

    ClientHandler(MqttClient client, MessageListener listener, boolean overWebSocket) {
        this.client = client;
        this.listener = listener;
        this.overWebSocket = overWebSocket;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!overWebSocket) {
            client.sendConnect();
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            client.sendConnect();
        } else if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            client.fail(handshake.cause()); // SslHandler closes the channel next
        } else if (evt instanceof IdleStateEvent) {
            if (pingOutstanding) {
                client.fail(new ConnectionLostException("no PINGRESP within the keep alive interval"));
                ctx.close();
                return;
            }
            pingOutstanding = true;
            client.write(PingReq.INSTANCE);
            ctx.flush();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Packet packet = (Packet) msg;
        if (client.trace() != null) {
            client.trace().received(client, packet);
        }
        switch (packet.type()) {
            case CONNACK:
                client.onConnAck((ConnAck) packet);
                break;
            case PUBLISH:
                onPublish(ctx, (Publish) packet);
                break;
            case PUBACK: {
                PubAck ack = (PubAck) packet;
                client.onPublishEnd(ack.packetId(), ack.reasonCode(), ack.properties());
                break;
            }
            case PUBREC: {
                PubRec rec = (PubRec) packet;
                if (rec.reasonCode() >= 0x80) {
                    client.onPublishEnd(rec.packetId(), rec.reasonCode(), rec.properties());
                } else {
                    client.onPubRec(rec.packetId());
                }
                break;
            }
            case PUBCOMP: {
                PubComp comp = (PubComp) packet;
                client.onPublishEnd(comp.packetId(), comp.reasonCode(), comp.properties());
                break;
            }
            case PUBREL: {
                int packetId = ((PubRel) packet).packetId();
                qos2Received.clear(packetId);
                client.write(new PubComp(packetId));
                break;
            }
            case SUBACK:
                client.onSubAck((SubAck) packet);
                break;
            case UNSUBACK:
                client.onUnsubAck((UnsubAck) packet);
                break;
            case PINGRESP:
                pingOutstanding = false;
                break;
            case DISCONNECT: {
                Disconnect disconnect = (Disconnect) packet;
                client.fail(new ConnectionLostException(String.format("disconnected by the server, reason code 0x%02X",
                        disconnect.reasonCode())));
                try {
                    listener.onDisconnect(client, disconnect);
                } finally {
                    ctx.close();
                }
                break;
            }
            default:
                client.fail(new ConnectionLostException("unexpected " + packet.type() + " from the server"));
                ctx.close();
                break;
        }
    }

    private void onPublish(ChannelHandlerContext ctx, Publish publish) {
        try {
            Publish resolved = resolveTopicAlias(publish);
            if (resolved == null) {
                client.fail(new ConnectionLostException("PUBLISH with an unknown topic alias"));
                ctx.close();
                return;
            }
            int packetId = publish.packetId();
            if (publish.qos() == QoS.EXACTLY_ONCE && qos2Received.get(packetId)) {
                client.write(new PubRec(packetId));
                return;
            }
            listener.onMessage(client, resolved);
            if (publish.qos() == QoS.AT_LEAST_ONCE) {
                client.write(new PubAck(packetId));
            } else if (publish.qos() == QoS.EXACTLY_ONCE) {
                qos2Received.set(packetId);
                client.write(new PubRec(packetId));
            }
        } finally {
            publish.release();
        }
    }

    /** The publish with its topic filled in from an alias, itself when it has none, null for an unknown alias. */
    private Publish resolveTopicAlias(Publish publish) {
        int alias = (int) publish.properties().number(PropertyId.TOPIC_ALIAS, 0);
        if (alias == 0) {
            return publish;
        }
        if (topicAliases == null) {
            topicAliases = new HashMap<>();
        }
        if (!publish.topic().isEmpty()) {
            topicAliases.put(alias, publish.topic());
            return publish;
        }
        String topic = topicAliases.get(alias);
        return topic == null ? null : new Publish(publish.dup(), publish.qos(), publish.retain(), topic,
                publish.packetId(), publish.properties(), publish.payload());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            listener.onWritable(client);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        client.fail(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
        ctx.close();
    }
}
