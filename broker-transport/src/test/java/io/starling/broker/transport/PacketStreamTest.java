package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.starling.broker.core.sys.BrokerCounters;
import io.starling.broker.core.sys.Counter;
import io.starling.mqtt.codec.Connect;
import io.starling.mqtt.codec.DecodeResult;
import io.starling.mqtt.codec.Malformed;
import io.starling.mqtt.codec.MqttEncoder;
import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.PingReq;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The byte stream cut into packets: whole, split anywhere, many at once, too large, malformed. */
class PacketStreamTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final MqttVersion V = MqttVersion.MQTT_3_1_1;

    private final BrokerCounters counters = new BrokerCounters();
    private final PacketStream stream = new PacketStream(16 << 20, 1 << 20, counters.local());
    private final List<DecodeResult> received = new ArrayList<>();
    private final List<ByteBuf> fed = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        stream.release();
        for (DecodeResult r : received) {
            if (r instanceof Publish p) {
                p.release();
            }
        }
        for (ByteBuf b : fed) {
            assertThat(b.refCnt()).as("every buffer given to the stream is freed").isZero();
        }
    }

    private static ByteBuf encode(io.starling.mqtt.codec.Packet packet) {
        ByteBuf b = MqttEncoder.encode(ALLOC, packet, V);
        ByteBuf copy = Unpooled.buffer(b.readableBytes()).writeBytes(b);
        b.release();
        return copy;
    }

    private static Connect connect() {
        return new Connect(V, "c1", true, 60, null, null, null, Properties.EMPTY);
    }

    private static Publish publish(String topic, int size, int fill) {
        byte[] payload = new byte[size];
        java.util.Arrays.fill(payload, (byte) fill);
        return new Publish(false, QoS.AT_MOST_ONCE, false, topic, 0, Properties.EMPTY, Unpooled.wrappedBuffer(payload));
    }

    /** Gives the stream a pooled copy of bytes [from, to) of {@code wire}, as a socket read would. */
    private void feed(ByteBuf wire, int from, int to) {
        ByteBuf read = ALLOC.buffer(Math.max(1, to - from));
        read.writeBytes(wire, from, to - from);
        fed.add(read);
        stream.read(read, ALLOC, received::add);
    }

    private static ByteBuf concat(ByteBuf... parts) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf p : parts) {
            all.writeBytes(p);
            p.release();
        }
        return all;
    }

    private static String payloadOf(DecodeResult r) {
        return ((Publish) r).payload().toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void severalPacketsInOneRead_allArriveInOrder() {
        ByteBuf wire = concat(encode(connect()), encode(publish("a", 10, 'x')), encode(PingReq.INSTANCE));
        feed(wire, 0, wire.readableBytes());
        assertThat(received).hasSize(3);
        assertThat(received.get(0)).isInstanceOf(Connect.class);
        assertThat(payloadOf(received.get(1))).isEqualTo("x".repeat(10));
        assertThat(received.get(2)).isEqualTo(PingReq.INSTANCE);
        assertThat(counters.sum(Counter.BYTES_RECEIVED)).isEqualTo(wire.readableBytes());
    }

    @Test
    void aPacketSplitAtAnyByte_arrivesOnceAndWhole() {
        ByteBuf wire = concat(encode(connect()), encode(publish("topic/split", 40, 'p')));
        for (int cut = 1; cut < wire.readableBytes(); cut++) {
            PacketStream fresh = new PacketStream(16 << 20, 1 << 20, counters.local());
            List<DecodeResult> got = new ArrayList<>();
            for (int[] range : new int[][] {{0, cut}, {cut, wire.readableBytes()}}) {
                ByteBuf read = ALLOC.buffer(Math.max(1, range[1] - range[0]));
                read.writeBytes(wire, range[0], range[1] - range[0]);
                fed.add(read);
                fresh.read(read, ALLOC, got::add);
            }
            assertThat(got).as("cut at %d", cut).hasSize(2);
            assertThat(payloadOf(got.get(1))).isEqualTo("p".repeat(40));
            ((Publish) got.get(1)).release();
            fresh.release();
        }
    }

    @Test
    void theRestOfAPacketAfterOneWhosePayloadIsHeld_leavesThatPayloadIntact() {
        // The first read ends a PUBLISH and starts the next: the first payload is a slice of the read
        // buffer, so the rest of the second packet must not be written over it or move it.
        ByteBuf wire = concat(encode(connect()), encode(publish("a", 100, 'A')), encode(publish("b", 3000, 'B')));
        int firstEnd = wire.readableBytes() - 3000 + 1000;
        feed(wire, 0, firstEnd);
        assertThat(received).hasSize(2);
        feed(wire, firstEnd, wire.readableBytes());
        assertThat(received).hasSize(3);
        assertThat(payloadOf(received.get(1))).isEqualTo("A".repeat(100));
        assertThat(payloadOf(received.get(2))).isEqualTo("B".repeat(3000));
    }

    @Test
    void aLargePacketInManySmallReads_arrivesWhole() {
        int size = 300_000;
        ByteBuf wire = concat(encode(connect()), encode(publish("big", size, 'L')), encode(PingReq.INSTANCE));
        for (int at = 0; at < wire.readableBytes(); at += 1000) {
            feed(wire, at, Math.min(wire.readableBytes(), at + 1000));
        }
        assertThat(received).hasSize(3);
        assertThat(payloadOf(received.get(1))).isEqualTo("L".repeat(size));
        assertThat(received.get(2)).isEqualTo(PingReq.INSTANCE);
    }

    @Test
    void beforeConnect_aPacketOverOneMebibyteIsMalformed() {
        // PUBLISH declaring 2 MiB of remaining length: refused as soon as the length is read.
        ByteBuf header = Unpooled.buffer().writeByte(0x30).writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
        feed(header, 0, header.readableBytes());
        assertThat(received).singleElement().isInstanceOf(Malformed.class);
    }

    @Test
    void afterConnect_packetsUpToTheMaximumAreTaken() {
        int size = 2 << 20;
        ByteBuf wire = concat(encode(connect()), encode(publish("big", size, 'M')));
        for (int at = 0; at < wire.readableBytes(); at += 65536) {
            feed(wire, at, Math.min(wire.readableBytes(), at + 65536));
        }
        assertThat(received).hasSize(2);
        assertThat(((Publish) received.get(1)).payload().readableBytes()).isEqualTo(size);
    }

    @Test
    void afterMalformedInput_laterBytesAreDropped() {
        ByteBuf bad = Unpooled.buffer().writeByte(0x00).writeByte(0x00); // packet type 0 is reserved
        feed(bad, 0, 2);
        ByteBuf wire = encode(PingReq.INSTANCE);
        feed(wire, 0, wire.readableBytes());
        assertThat(received).singleElement().isInstanceOf(Malformed.class);
    }

    @Test
    void release_freesTheBytesOfAnUnfinishedPacket() {
        ByteBuf wire = concat(encode(connect()), encode(publish("a", 500, 'u')));
        feed(wire, 0, wire.readableBytes() - 10);
        assertThat(received).hasSize(1);
        assertThat(fed.get(0).refCnt()).as("held for the rest of the packet").isPositive();
        stream.release();
        assertThat(fed.get(0).refCnt()).isZero();
    }

    @Test
    void bytesAreCountedPerWholePacket() {
        ByteBuf connect = encode(connect());
        int connectSize = connect.readableBytes();
        ByteBuf wire = concat(connect, encode(publish("a", 20, 'c')));
        feed(wire, 0, wire.readableBytes() - 5);
        long afterFirst = counters.sum(Counter.BYTES_RECEIVED);
        assertThat(afterFirst).as("the unfinished PUBLISH is not counted yet").isEqualTo(connectSize);
        feed(wire, wire.readableBytes() - 5, wire.readableBytes());
        assertThat(counters.sum(Counter.BYTES_RECEIVED) - afterFirst).isEqualTo(wire.readableBytes() - afterFirst);
        assertThat(ByteBufUtil.hexDump(((Publish) received.get(1)).payload())).isEqualTo("63".repeat(20));
    }
}
