package io.starling.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Writes the seed corpus of {@link MqttDecoderFuzzTest}: for each version, a connection's stream (its
 * CONNECT, then one packet of every type) and a client's (version preset, no CONNECT), each whole and
 * in pieces; plus a few malformed starts. Fixed random seed, packets kept under 400 bytes.
 * Run: {@code java -cp <test classpath> io.starling.mqtt.codec.MqttDecoderFuzzSeeds <dir>}.
 */
final class MqttDecoderFuzzSeeds {
    private MqttDecoderFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        RandomPackets generator = new RandomPackets(new Random(14), false);
        MqttVersion[] versions = {MqttVersion.MQTT_3_1, MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5};
        for (int i = 0; i < versions.length; i++) {
            MqttVersion v = versions[i];
            String name = v.name().toLowerCase(Locale.ROOT);
            for (int mode : new int[] {0, 3}) {
                ByteArrayOutputStream broker = header(0, 0, mode, i);
                write(broker, small(generator, PacketType.CONNECT, v), v);
                ByteArrayOutputStream client = header(i + 1, 0, mode, i);
                for (PacketType type : RandomPackets.typesOf(v)) {
                    if (type != PacketType.CONNECT) {
                        write(broker, small(generator, type, v), v);
                        write(client, small(generator, type, v), v);
                    }
                }
                Files.write(dir.resolve(name + "-connection-mode" + mode), broker.toByteArray());
                Files.write(dir.resolve(name + "-preset-mode" + mode), client.toByteArray());
            }
        }
        Files.write(dir.resolve("reserved-type"), new byte[] {0, 0, 0, 0, 0x00, 0x00});
        Files.write(dir.resolve("remaining-length-five-bytes"),
                new byte[] {0, 0, 1, 0, 0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
        Files.write(dir.resolve("publish-over-max-size"),
                new byte[] {2, 1, 1, 0, 0x30, 0x20, 0, 1, 't', 'p', 'a', 'y', 'l', 'o', 'a', 'd'});
    }

    private static ByteArrayOutputStream header(int preset, int maxSize, int mode, int seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(preset);
        out.write(maxSize);
        out.write(mode);
        out.write(seed);
        return out;
    }

    private static Packet small(RandomPackets generator, PacketType type, MqttVersion v) {
        while (true) {
            Packet p = generator.next(type, v);
            if (MqttEncoder.encodedSize(p, v) < 400) {
                return p;
            }
            Packets.release(p);
        }
    }

    private static void write(ByteArrayOutputStream out, Packet p, MqttVersion v) {
        ByteBuf b = MqttEncoder.encode(PooledByteBufAllocator.DEFAULT, p, v);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        Packets.release(p);
        out.writeBytes(bytes);
    }
}
