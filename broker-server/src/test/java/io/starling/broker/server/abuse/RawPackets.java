package io.starling.broker.server.abuse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** MQTT 3.1.1 packets as bytes, for attackers that do not behave like clients. */
final class RawPackets {
    private RawPackets() {
    }

    static final byte[] PINGREQ = {(byte) 0xC0, 0};

    static byte[] connect(String clientId, int keepAlive) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 2, (byte) (keepAlive >>> 8), (byte) keepAlive});
        string(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    static byte[] subscribe(int packetId, int qos, String... filters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >>> 8);
        body.write(packetId);
        for (String f : filters) {
            string(body, f);
            body.write(qos);
        }
        return packet(0x82, body.toByteArray());
    }

    static byte[] publish(String topic, int qos, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, topic);
        if (qos > 0) {
            body.write(packetId >>> 8);
            body.write(packetId);
        }
        body.writeBytes(payload);
        return packet(0x30 | qos << 1, body.toByteArray());
    }

    /** The fixed header of a packet of type {@code first} announcing {@code remaining} bytes. */
    static byte[] header(int first, int remaining) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        do {
            int digit = remaining & 0x7F;
            remaining >>>= 7;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        return out.toByteArray();
    }

    private static byte[] packet(int first, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(first, body.length));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }
}
