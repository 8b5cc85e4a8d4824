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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that does not read what the broker sends (issue 14, findings 1 and 8): it stops being
 * read, what waits for it is bounded, and closing it does not wait for it to read.
 */
@Timeout(60)
class OutputBackpressureTest {
    private static final byte[] PINGREQ = {(byte) 0xC0, 0};

    private EventLoops loops;
    private TcpListener listener;
    private BrokerCore core;
    private final List<Socket> sockets = new ArrayList<>();

    private int listen(BrokerSettings settings) throws InterruptedException {
        core = new BrokerCore(settings);
        loops = new EventLoops(1);
        listener = TcpListener.bind(core, loops, "127.0.0.1", 0);
        return listener.address().getPort();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (listener != null) {
            listener.close();
            loops.close();
        }
    }

    /** A socket with small buffers, connected as {@code id} with {@code keepAlive} seconds. */
    private Socket connect(int port, String id, int keepAlive) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 * 1024);
        s.setSendBufferSize(16 * 1024);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        sockets.add(s);
        byte[] connect = new byte[14 + id.length()];
        byte[] head = {0x10, (byte) (12 + id.length()), 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, (byte) keepAlive, 0,
            (byte) id.length()};
        System.arraycopy(head, 0, connect, 0, head.length);
        System.arraycopy(id.getBytes(), 0, connect, head.length, id.length());
        s.getOutputStream().write(connect);
        byte[] connAck = s.getInputStream().readNBytes(4);
        assertThat(connAck).containsExactly(0x20, 2, 0, 0);
        return s;
    }

    private static void subscribe(Socket s, String filter, int qos) throws IOException {
        byte[] f = filter.getBytes();
        byte[] packet = new byte[7 + f.length];
        packet[0] = (byte) 0x82;
        packet[1] = (byte) (5 + f.length);
        packet[3] = 1;
        packet[5] = (byte) f.length;
        System.arraycopy(f, 0, packet, 6, f.length);
        packet[6 + f.length] = (byte) qos;
        s.getOutputStream().write(packet);
        assertThat(s.getInputStream().readNBytes(5)[0]).isEqualTo((byte) 0x90);
    }

    /** A PUBLISH of {@code size} zero bytes on a one-letter topic (QoS 1 with packet id {@code id}). */
    private static byte[] publish(char topic, int size, int qos, int id) {
        int remaining = 3 + (qos > 0 ? 2 : 0) + size;
        byte[] length = remainingLength(remaining);
        byte[] p = new byte[1 + length.length + remaining];
        p[0] = (byte) (0x30 | qos << 1);
        System.arraycopy(length, 0, p, 1, length.length);
        int i = 1 + length.length;
        p[i + 1] = 1;
        p[i + 2] = (byte) topic;
        if (qos > 0) {
            p[i + 3] = (byte) (id >>> 8);
            p[i + 4] = (byte) id;
        }
        return p;
    }

    private static byte[] remainingLength(int n) {
        byte[] out = new byte[4];
        int i = 0;
        do {
            int digit = n & 0x7F;
            n >>>= 7;
            out[i++] = (byte) (n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        return Arrays.copyOf(out, i);
    }

    @Test
    void clientFloodingPingreqWithoutReading_isNoLongerRead_soItsOutputStaysBounded() throws Exception {
        int port = listen(BrokerSettings.defaults());
        Socket flooder = connect(port, "flooder", 0);
        AtomicLong written = new AtomicLong();
        byte[] pings = new byte[64 * 1024];
        for (int i = 0; i < pings.length; i += 2) {
            pings[i] = PINGREQ[0];
        }
        // Leak records cost the broker ~30 us per buffer: at paranoid it could not read fast enough to show anything.
        io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = flooder.getOutputStream();
                while (!Thread.currentThread().isInterrupted()) {
                    out.write(pings);
                    written.addAndGet(pings.length);
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        writer.start();
        try {
            Thread.sleep(5_000);
        } finally {
            io.netty.util.ResourceLeakDetector.setLevel(level);
        }
        // Were it read on, 5 s of PINGREQs is hundreds of MB, each with a PINGRESP queued in the heap.
        assertThat(written.get()).as("bytes the broker took from a client that does not read").isLessThan(16L << 20);
        assertThat(core.overload().readPausedOutput.sum()).isPositive();
        Socket other = connect(port, "other", 0); // still served
        other.getOutputStream().write(PINGREQ);
        assertThat(other.getInputStream().read()).isEqualTo(0xD0);
        flooder.close();
        writer.join(5_000);
    }

    @Test
    void connectionTimedOutWhileNotReading_isResetAtOnce_notLeftWithItsUnsentOutput() throws Exception {
        int port = listen(BrokerSettings.defaults());
        Socket subscriber = connect(port, "sleepy", 1);
        subscribe(subscriber, "b", 0);
        Socket publisher = connect(port, "pub", 0);
        byte[] message = publish('b', 60_000, 0, 0);
        for (int i = 0; i < 100; i++) { // 6 MB: more than the subscriber's buffers and the broker's high-water mark
            publisher.getOutputStream().write(message);
        }
        // The subscriber's keepalive (1.5 x 1 s) runs out while it is not reading; as it took nothing in the
        // period after, it is closed at the second (about 3 s).
        Thread.sleep(4_000);
        assertThat(endOf(subscriber, 5_000)).isEqualTo("reset");
    }

    @Test
    void qos1DeliveriesToAClientNotReading_waitInItsQueue_notInItsSocketBuffer() throws Exception {
        int port = listen(BrokerSettings.defaults());
        Socket subscriber = connect(port, "slow1", 0);
        subscribe(subscriber, "c", 1);
        Socket publisher = connect(port, "pub1", 0);
        for (int i = 1; i <= 20; i++) { // the inflight window: 20 messages of 1 MB
            publisher.getOutputStream().write(publish('c', 1_000_000, 1, i));
        }
        publisher.getOutputStream().write(PINGREQ);
        InputStream in = publisher.getInputStream();
        for (int i = 0; i < 20; i++) {
            assertThat(in.readNBytes(4)[0]).isEqualTo((byte) 0x40); // PUBACK
        }
        Thread.sleep(500);
        // The subscriber reads now, and gets all 20 in order (nothing lost by the backpressure).
        subscriber.setSoTimeout(10_000);
        InputStream sin = subscriber.getInputStream();
        for (int i = 1; i <= 20; i++) {
            int type = sin.read();
            assertThat(type).isEqualTo(0x32);
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                int b = sin.read();
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            byte[] rest = sin.readNBytes(length);
            assertThat(((rest[3] & 0xFF) << 8) | (rest[4] & 0xFF)).isEqualTo(i);
            subscriber.getOutputStream().write(new byte[] {0x40, 2, (byte) (i >>> 8), (byte) i});
        }
        assertThat(core.overload().outgoingOverflow.sum()).isZero();
    }

    @Test
    void outputOfOneReadBatchOverMaxOutgoingBytes_disconnectsTheClient() throws Exception {
        int port = listen(BrokerSettings.defaults().toBuilder()
                .overload(new OverloadLimits(128 * 1024, 16 << 20, 65536, 1024, 32 << 20)).build());
        Socket flooder = connect(port, "flooder2", 0);
        byte[] pings = new byte[4 << 20]; // 2 M PINGREQs at once: a read batch's answers exceed 128 KiB
        for (int i = 0; i < pings.length; i += 2) {
            pings[i] = PINGREQ[0];
        }
        try {
            flooder.getOutputStream().write(pings);
        } catch (SocketException e) {
            // reset while writing
        }
        Thread.sleep(500);
        assertThat(core.overload().outgoingOverflow.sum()).isEqualTo(1);
        assertThat(endOf(flooder, 5_000)).isIn("reset", "eof");
    }

    @Test
    void slowSubscriberTakingALargeMessage_keepsItsConnectionPastTheKeepAlive() throws Exception {
        int port = listen(BrokerSettings.defaults());
        Socket subscriber = connect(port, "trickle", 1);
        subscribe(subscriber, "e", 0);
        Socket publisher = connect(port, "pub3", 0);
        publisher.getOutputStream().write(publish('e', 3_000_000, 0, 0));
        // Read 3 MB over about 4 s (more than twice the 1.5 s keepalive), sending no PINGREQ: the broker
        // does not read while its output is backed up, so the silence is not the client's.
        InputStream in = subscriber.getInputStream();
        long read = 0;
        byte[] chunk = new byte[8192];
        long end = System.nanoTime() + 4_500_000_000L;
        while (read < 3_000_000 && System.nanoTime() < end) {
            int n = in.read(chunk);
            assertThat(n).as("connection still open after %d bytes", read).isPositive();
            read += n;
            Thread.sleep(11);
        }
        assertThat(read).isGreaterThan(1_000_000L);
    }

    /** How the connection ends when read from now: "reset", "eof", or "open" after {@code millis}. */
    private static String endOf(Socket socket, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        byte[] buffer = new byte[65536];
        InputStream in = socket.getInputStream();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (in.read(buffer) < 0) {
                    return "eof";
                }
            }
        } catch (SocketTimeoutException e) {
            return "open";
        } catch (SocketException e) {
            return "reset";
        }
        return "open";
    }
}
