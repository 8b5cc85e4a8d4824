package io.starling.broker.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.starling.broker.core.protocol.Connection;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The core's {@link Connection} over a Netty channel. Packets are encoded straight into pooled
 * buffers and written without a pipeline encoder; a PUBLISH payload goes out as a retained duplicate
 * of the shared buffer. Threading: the channel's event loop.
 */
final class ChannelConnection implements Connection {
    private final Channel channel;
    private MqttVersion version = MqttVersion.MQTT_3_1_1;

    ChannelConnection(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void write(Packet packet) {
        channel.write(MqttEncoder.encode(channel.alloc(), packet, version), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    @Override
    public String remoteAddress() {
        return format(channel.remoteAddress());
    }

    @Override
    public int localPort() {
        SocketAddress local = channel.localAddress();
        return local instanceof InetSocketAddress inet ? inet.getPort() : 0;
    }

    @Override
    public void setProtocolVersion(MqttVersion version) {
        this.version = version;
    }

    @Override
    public void setReadTimeout(long millis) {
        ChannelPipeline p = channel.pipeline();
        if (p.get(HandlerNames.IDLE) != null) {
            p.remove(HandlerNames.IDLE);
        }
        if (millis > 0) {
            p.addBefore(HandlerNames.DECODER, HandlerNames.IDLE, new IdleStateHandler(millis, 0, 0, TimeUnit.MILLISECONDS));
        }
    }

    @Override
    public void setReading(boolean reading) {
        channel.config().setAutoRead(reading);
    }

    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
