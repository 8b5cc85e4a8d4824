package io.starling.broker.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Disconnect;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttDecoder;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Packet;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.PingResp;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscribe;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.codec.Will;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A blocking MQTT client over a plain socket that sends whatever it is given, well-formed or not,
 * and reads what the broker answers: the tool for protocol-violation tests.
 *
 * <p>Sending: raw bytes ({@link #send(byte[])}, {@link #sendHex(String)}) or packets encoded with our
 * codec in the connection's version ({@link #send(Packet)}; sending a CONNECT sets that version).
 * Nothing is validated beyond what the encoder refuses, and no state is kept: the client never
 * acknowledges anything by itself.
 *
 * <p>Receiving: {@link #receive} decodes the next packet the broker sent, waiting at most a timeout;
 * {@link #isClosedWithin} tells whether the broker closed the connection (end of stream or reset)
 * within a timeout. Bytes read while waiting for the close are kept, so packets sent just before it
 * (a CONNACK with a refusal code, say) can still be received afterwards. A received PUBLISH owns a
 * heap copy of its payload, so nothing here needs releasing.
 *
 * <p>Threading: one thread may send while another receives (the QoS 2 flood test does that); the
 * receiving methods must stay on one thread. Send the CONNECT before receiving on another thread.
 */
public final class RawMqttClient implements AutoCloseable {
    /** How long {@link #receive()} and {@link #connect} wait by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Heap buffers outside the leak detector: the client's own bytes are not what a test checks. */
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final MqttDecoder decoder = new MqttDecoder(MqttDecoder.MAX_PACKET_SIZE_LIMIT);
    /** Bytes read and not yet decoded; a heap buffer, left to the garbage collector. */
    private final ByteBuf received = ALLOC.heapBuffer(4096);
    private final byte[] chunk = new byte[64 * 1024];
    private volatile MqttVersion version = MqttVersion.MQTT_3_1_1;
    private boolean endOfStream;

    private RawMqttClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a TCP connection to the broker on the loopback address. */
    public static RawMqttClient open(int port) {
        return open("127.0.0.1", port);
    }

    public static RawMqttClient open(String host, int port) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) DEFAULT_TIMEOUT.toMillis());
            return new RawMqttClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
        }
    }

    /**
     * The server's end of a connection the test accepted itself: a fake broker for a client under test (a bridge).
     * Packets are sent in the version of the CONNECT received.
     */
    public static RawMqttClient accepted(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            return new RawMqttClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException(e);
        }
    }

    // ---- packets a test commonly needs ----

    /** A CONNECT without credentials or will. */
    public static Connect connectPacket(String clientId, boolean cleanSession, int keepAlive) {
        return connectPacket(MqttVersion.MQTT_3_1_1, clientId, cleanSession, keepAlive, null);
    }

    public static Connect connectPacket(MqttVersion version, String clientId, boolean cleanSession, int keepAlive,
                                        Will will) {
        return new Connect(version, clientId, cleanSession, keepAlive, null, null, will, Properties.EMPTY);
    }

    /** A 3.1.1 will without properties. */
    public static Will will(String topic, String payload, QoS qos, boolean retain) {
        return new Will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, Properties.EMPTY);
    }

    /** A PUBLISH whose payload is a UTF-8 string. */
    public static Publish publishPacket(String topic, String payload, QoS qos, int packetId) {
        return new Publish(false, qos, false, topic, qos == QoS.AT_MOST_ONCE ? 0 : packetId, Properties.EMPTY,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
    }

    /** The payload of a received PUBLISH as a UTF-8 string. */
    public static String payloadOf(Publish publish) {
        return publish.payload().toString(StandardCharsets.UTF_8);
    }

    // ---- sending ----

    /** Writes the bytes as they are. */
    public RawMqttClient send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send " + bytes.length + " bytes", e);
        }
    }

    /** Writes bytes given in hex; spaces and newlines are ignored ("10 0c 00 04 4d 51 54 54 ..."). */
    public RawMqttClient sendHex(String hex) {
        return send(hex(hex));
    }

    /** Encodes the packet in the connection's version and writes it; a CONNECT sets that version. */
    public RawMqttClient send(Packet packet) {
        if (packet instanceof Connect c) {
            version = c.version();
            decoder.setVersion(c.version());
        }
        return send(encode(packet, version));
    }

    /** The bytes of a packet as our encoder writes it in {@code version}. */
    public static byte[] encode(Packet packet, MqttVersion version) {
        ByteBuf buf = MqttEncoder.encode(ALLOC, packet, version);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Parses hex, ignoring whitespace. */
    public static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s+", ""));
    }

    /** Sends a CONNECT and waits for the CONNACK, which it returns whatever its return code. */
    public ConnAck connect(Connect connect) {
        send(connect);
        return receive(ConnAck.class);
    }

    public ConnAck connect(String clientId, boolean cleanSession, int keepAlive) {
        return connect(connectPacket(clientId, cleanSession, keepAlive));
    }

    /** Subscribes to one filter and waits for the SUBACK. */
    public SubAck subscribe(int packetId, String filter, QoS qos) {
        send(new Subscribe(packetId, List.of(new Subscription(filter, SubscriptionOptions.of(qos))), Properties.EMPTY));
        return receive(SubAck.class);
    }

    /** Sends PINGREQ and waits for PINGRESP: proof that the connection is open and served. */
    public void ping() {
        send(PingReq.INSTANCE);
        receive(PingResp.class);
    }

    /** Sends DISCONNECT, then closes the socket. */
    public void disconnect() {
        try {
            send(Disconnect.NORMAL);
        } finally {
            close();
        }
    }

    // ---- receiving ----

    /** The next packet, waiting at most {@link #DEFAULT_TIMEOUT}; fails on timeout or close. */
    public Packet receive() {
        return receive(DEFAULT_TIMEOUT);
    }

    public Packet receive(Duration timeout) {
        Packet p = next(timeout);
        if (p == null) {
            throw new AssertionError("no packet from the broker within " + timeout.toMillis() + " ms");
        }
        return p;
    }

    /** The next packet, which must be of the given type. */
    public <T extends Packet> T receive(Class<T> type) {
        return receive(type, DEFAULT_TIMEOUT);
    }

    public <T extends Packet> T receive(Class<T> type, Duration timeout) {
        Packet p = receive(timeout);
        if (!type.isInstance(p)) {
            throw new AssertionError("expected " + type.getSimpleName() + " from the broker but received " + p);
        }
        return type.cast(p);
    }

    /** The next packet, or empty when none arrives within the timeout; fails when the broker closed. */
    public Optional<Packet> poll(Duration timeout) {
        return Optional.ofNullable(next(timeout));
    }

    /**
     * Whether the broker closed the connection within the timeout: end of stream or a reset. Packets
     * that arrive meanwhile are kept for {@link #receive}.
     */
    public boolean isClosedWithin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!endOfStream) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !fill(left)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the broker's end of the connection has been seen closed (by a read so far). */
    public boolean isClosedByBroker() {
        return endOfStream;
    }

    /** Returns the next decoded packet, or null on timeout; fails when the stream ended first. */
    private Packet next(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            DecodeResult r = decoder.decode(received);
            if (r instanceof Malformed m) {
                throw new AssertionError("the broker sent a malformed packet: " + m.reason());
            }
            if (r instanceof Connect c) {
                version = c.version(); // a fake broker answers in the client's version
            }
            if (r instanceof Packet p) {
                received.discardSomeReadBytes();
                return ownedCopy(p);
            }
            if (endOfStream) {
                throw new AssertionError("the broker closed the connection while a packet was awaited");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !fill(left)) {
                return null;
            }
        }
    }

    /** Reads once, waiting at most {@code nanos}; false on timeout. End of stream and reset count as read. */
    private boolean fill(long nanos) {
        try {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
            int n = in.read(chunk);
            if (n < 0) {
                endOfStream = true;
            } else {
                received.writeBytes(chunk, 0, n);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            endOfStream = true; // reset by the broker, or closed by us
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PUBLISH payload is a slice of the read buffer; received packets get a heap copy of their own. */
    private static Packet ownedCopy(Packet p) {
        if (p instanceof Publish publish) {
            try {
                return new Publish(publish.dup(), publish.qos(), publish.retain(), publish.topic(),
                        publish.packetId(), publish.properties(),
                        Unpooled.wrappedBuffer(ByteBufUtil.getBytes(publish.payload())));
            } finally {
                publish.release();
            }
        }
        return p;
    }

    /** Closes the socket without DISCONNECT: for the broker, a lost connection. */
    @Override
    public void close() {
        closeQuietly(socket);
    }

    /** Closes the socket with a TCP reset (SO_LINGER 0) rather than a FIN. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        close();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do for a test client
        }
    }
}
