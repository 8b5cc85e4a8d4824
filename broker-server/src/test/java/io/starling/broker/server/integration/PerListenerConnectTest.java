package io.starling.broker.server.integration;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import io.starling.broker.testkit.RawMqttClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client's listener decides at CONNECT, with the bytes mosquitto 2.0.11 answers (measured with
 * raw packets): {@code maximum_qos} and {@code max_topic_alias} always come from the client's listener;
 * {@code allow_zero_length_clientid} and {@code auto_id_prefix} too with {@code per_listener_settings true}.
 */
class PerListenerConnectTest {
    /** CONNECT 5.0, client id "x", clean start, keepalive 60. */
    private static final String CONNECT_X = "10 0e 00 04 4d 51 54 54 05 02 00 3c 00 00 01 78";
    /** CONNECT 5.0, empty client id, clean start, keepalive 60. */
    private static final String CONNECT_EMPTY = "10 0d 00 04 4d 51 54 54 05 02 00 3c 00 00 00";

    @TempDir
    Path dir;


    private Broker start(String conf) throws Exception {
        Path file = dir.resolve("mosquitto.conf");
        Files.writeString(file, conf);
        return Broker.start(ConfigFile.read(file));
    }

    /** The bytes of the first packet the broker answers {@code connect} with (the fixed header says how many). */
    private static byte[] answer(int port, String connect) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(RawMqttClient.hex(connect));
            DataInputStream in = new DataInputStream(s.getInputStream());
            ByteArrayOutputStream packet = new ByteArrayOutputStream();
            packet.write(in.readUnsignedByte());
            int remaining = 0;
            int shift = 0;
            int b;
            do {
                b = in.readUnsignedByte();
                packet.write(b);
                remaining |= (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            byte[] body = new byte[remaining];
            in.readFully(body);
            packet.write(body);
            return packet.toByteArray();
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            b.append(b.length() == 0 ? "" : " ").append(String.format("%02x", x));
        }
        return b.toString();
    }

    @Test
    void maximumQosAndTopicAliasMaximum_comeFromTheClientsListener() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        try (Broker broker = start("listener " + p1 + " 127.0.0.1\nallow_anonymous true\nmaximum_qos 1\n"
                + "max_topic_alias 5\nlistener " + p2 + " 127.0.0.1\nmax_topic_alias 7\n")) {
            assertThat(hex(answer(p1, CONNECT_X))).isEqualTo("20 0b 00 00 08 22 00 05 21 00 14 24 01");
            assertThat(hex(answer(p2, CONNECT_X))).isEqualTo("20 09 00 00 06 22 00 07 21 00 14");
        }
    }

    @Test
    void clientIdOptions_comeFromTheClientsListenerWithPerListenerSettings() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        try (Broker broker = start("per_listener_settings true\nlistener " + p1 + " 127.0.0.1\nallow_anonymous true\n"
                + "allow_zero_length_clientid false\nmaximum_qos 1\nlistener " + p2 + " 127.0.0.1\n"
                + "allow_anonymous true\nauto_id_prefix bb-\n")) {
            assertThat(hex(answer(p1, CONNECT_EMPTY))).as("refused, Maximum QoS still announced")
                    .isEqualTo("20 05 00 80 02 24 01");
            byte[] accepted = answer(p2, CONNECT_EMPTY);
            // Topic Alias Maximum 10, then the assigned id: "bb-" and 36 characters.
            assertThat(hex(accepted)).startsWith("20 33 00 00 30 22 00 0a 12 00 27 62 62 2d");
            assertThat(new String(accepted, 11, 39, java.nio.charset.StandardCharsets.UTF_8))
                    .matches("bb-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}");
        }
    }

    @Test
    void clientIdOptions_areBrokerWideWithoutPerListenerSettings() throws Exception {
        int p1 = freePort();
        int p2 = freePort();
        try (Broker broker = start("listener " + p1 + " 127.0.0.1\nallow_anonymous true\n"
                + "allow_zero_length_clientid false\nlistener " + p2 + " 127.0.0.1\n")) {
            assertThat(hex(answer(p2, CONNECT_EMPTY))).isEqualTo("20 03 00 80 00");
        }
    }
}
