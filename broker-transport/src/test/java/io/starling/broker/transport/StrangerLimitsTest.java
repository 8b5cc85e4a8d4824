package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.OverloadLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a connection that has not finished CONNECT (a stranger) may cost (issue 14, finding 3): a
 * deadline from accept, a few KiB of bytes on every transport, and a budget per listener.
 */
@Timeout(30)
class StrangerLimitsTest {
    /** CONNECT, MQTT 3.1.1, clean session, keepalive 60 s, client id "ok". */
    private static final byte[] CONNECT = {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 2, 'o', 'k'};

    private EventLoops loops;
    private final List<TcpListener> listeners = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    private int listen(BrokerSettings settings, ListenerOptions options) throws InterruptedException {
        BrokerCore core = new BrokerCore(settings);
        loops = new EventLoops(1);
        TcpListener listener = TcpListener.bind(core, loops, "127.0.0.1", 0, options);
        listeners.add(listener);
        return listener.address().getPort();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        listeners.forEach(TcpListener::close);
        if (loops != null) {
            loops.close();
        }
    }

    private Socket open(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        sockets.add(s);
        return s;
    }

    /** Whether the broker closed the socket (EOF or reset) within {@code millis}; what it sent is skipped. */
    static boolean closedWithin(Socket socket, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) left);
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    @Test
    void strangerTricklingBytes_isClosedAtTheConnectTimeoutFromAccept_notFromItsLastByte() throws Exception {
        int port = listen(BrokerSettings.defaults().toBuilder().connectTimeoutSeconds(1).build(), ListenerOptions.PLAIN);
        Socket s = open(port);
        OutputStream out = s.getOutputStream();
        long start = System.nanoTime();
        boolean closed = false;
        try {
            // A CONNECT of 14 bytes, one byte every 200 ms: each byte used to re-arm the timeout.
            for (int i = 0; i < CONNECT.length - 1 && !closed; i++) {
                out.write(CONNECT[i]);
                out.flush();
                closed = closedWithin(s, 200);
            }
        } catch (SocketException e) {
            closed = true;
        }
        assertThat(closed || closedWithin(s, 1_000)).as("closed").isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_200L);
    }

    @Test
    void connectDeclaringMoreThanMaxConnectBytes_isClosedBeforeItIsBuffered() throws Exception {
        int port = listen(BrokerSettings.defaults(), ListenerOptions.PLAIN);
        Socket s = open(port);
        OutputStream out = s.getOutputStream();
        // A CONNECT announcing 200,000 bytes of remaining length (0xC0 0x9A 0x0C), then 100 KB of it.
        out.write(new byte[] {0x10, (byte) 0xC0, (byte) 0x9A, 0x0C, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60});
        try {
            out.write(new byte[100_000]);
        } catch (SocketException e) {
            // closed while we were still writing: what the test wants
        }
        assertThat(closedWithin(s, 2_000)).isTrue();
    }

    @Test
    void strangerSendingMoreThanMaxConnectBytes_inAnyShape_isClosed() throws Exception {
        int port = listen(BrokerSettings.defaults().toBuilder()
                .overload(new OverloadLimits(16 << 20, 16 << 20, 4096, 1024, 32 << 20)).build(), ListenerOptions.PLAIN);
        Socket s = open(port);
        OutputStream out = s.getOutputStream();
        // A valid-looking CONNECT of 10,000 bytes: under max_packet_size, over max_connect_bytes 4096.
        byte[] connect = new byte[10_003];
        byte[] head = {0x10, (byte) 0x90, 0x4E, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60};
        System.arraycopy(head, 0, connect, 0, head.length);
        try {
            out.write(connect);
        } catch (SocketException e) {
            // closed already
        }
        assertThat(closedWithin(s, 2_000)).isTrue();
    }

    @Test
    void webSocketFrameAnnouncingMegabytes_isClosedBeforeConnect_notAggregated() throws Exception {
        int port = listen(BrokerSettings.defaults(), ListenerOptions.PLAIN.withWebSocket(true));
        Socket s = open(port);
        OutputStream out = s.getOutputStream();
        out.write(("GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String response = readHttpHead(s.getInputStream());
        assertThat(response).startsWith("HTTP/1.1 101");
        // A masked binary frame announcing 100 MB, of which we send 1 MB.
        long length = 100_000_000L;
        byte[] header = new byte[14];
        header[0] = (byte) 0x82;
        header[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        out.write(header);
        try {
            for (int i = 0; i < 16; i++) {
                out.write(new byte[65_536]);
            }
        } catch (SocketException e) {
            // closed while we were still writing
        }
        assertThat(closedWithin(s, 2_000)).isTrue();
    }

    @Test
    void listenerWithMaxConnectingClientsStrangers_closesTheNextAtOnce_andAdmitsAgainWhenOneConnects() throws Exception {
        int port = listen(BrokerSettings.defaults().toBuilder()
                .overload(new OverloadLimits(16 << 20, 16 << 20, 65536, 3, 32 << 20)).build(), ListenerOptions.PLAIN);
        Socket first = open(port);
        open(port);
        open(port);
        Socket fourth = open(port);
        assertThat(closedWithin(fourth, 2_000)).as("fourth stranger refused").isTrue();
        first.getOutputStream().write(CONNECT); // no longer a stranger: its place is free
        assertThat(first.getInputStream().read()).isEqualTo(0x20); // CONNACK
        Socket fifth = open(port);
        assertThat(closedWithin(fifth, 500)).as("fifth admitted").isFalse();
    }

    @Test
    void connectedClient_mayThenSendMoreThanMaxConnectBytes() throws Exception {
        int port = listen(BrokerSettings.defaults().toBuilder()
                .overload(new OverloadLimits(16 << 20, 16 << 20, 1024, 1024, 32 << 20)).build(), ListenerOptions.PLAIN);
        Socket s = open(port);
        s.getOutputStream().write(CONNECT);
        assertThat(s.getInputStream().read()).isEqualTo(0x20);
        s.getInputStream().read(new byte[3]);
        int remaining = 3 + 5000; // QoS 0 PUBLISH on "t" with 5,000 bytes: more than max_connect_bytes
        byte[] publish = new byte[3 + remaining];
        publish[0] = 0x30;
        publish[1] = (byte) (0x80 | (remaining & 0x7F));
        publish[2] = (byte) (remaining >>> 7);
        publish[4] = 1;
        publish[5] = 't';
        s.getOutputStream().write(publish);
        s.getOutputStream().write(new byte[] {(byte) 0xC0, 0}); // PINGREQ
        assertThat(s.getInputStream().read()).isEqualTo(0xD0); // PINGRESP: still connected
    }

    private static String readHttpHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
