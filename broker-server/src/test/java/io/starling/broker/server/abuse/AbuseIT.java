package io.starling.broker.server.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The abuse suite (issue 14): the packaged broker with 128 MiB of heap and of direct memory, attacked
 * the way a hostile or unlucky client would. Each attack must leave it running, with no memory
 * exhaustion, still answering another client's round trip promptly. Every attack stops by itself.
 */
@Timeout(120)
class AbuseIT {
    private static final int ATTACK_SECONDS = 8;
    private static final int PROBE_SECONDS = 5;

    @TempDir
    Path dir;
    private SmallHeapBroker broker;
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService attackers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "attacker");
        t.setDaemon(true);
        return t;
    });

    @BeforeEach
    void start() throws Exception {
        broker = new SmallHeapBroker(dir);
    }

    @AfterEach
    void stop() throws Exception {
        attackers.shutdownNow();
        for (Socket s : sockets) {
            s.close();
        }
        broker.close();
    }

    private Socket open(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        synchronized (sockets) {
            sockets.add(s);
        }
        return s;
    }

    /** A connected client that never reads again, with small socket buffers (the kernel holds little for it). */
    private Socket connected(String id) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 * 1024);
        s.connect(new InetSocketAddress("127.0.0.1", broker.port));
        synchronized (sockets) {
            sockets.add(s);
        }
        s.getOutputStream().write(RawPackets.connect(id, 0));
        assertThat(s.getInputStream().readNBytes(4)).containsExactly(0x20, 2, 0, 0);
        return s;
    }

    /** Runs {@code attack} on a thread until the attack time is over. */
    private void during(Attack attack) throws Exception {
        AtomicBoolean over = new AtomicBoolean();
        attackers.submit(() -> {
            try {
                attack.run(over);
            } catch (IOException e) {
                // the broker closed the attacker: fine
            }
            return null;
        });
        Thread.sleep(TimeUnit.SECONDS.toMillis(ATTACK_SECONDS));
        over.set(true);
    }

    @FunctionalInterface
    interface Attack {
        void run(AtomicBoolean over) throws IOException;
    }

    @Test
    void clientFloodingPingreqWithoutReading() throws Exception {
        Socket s = connected("pinger");
        byte[] pings = new byte[64 * 1024];
        for (int i = 0; i < pings.length; i += 2) {
            pings[i] = RawPackets.PINGREQ[0];
        }
        AtomicLong taken = new AtomicLong();
        during(over -> {
            OutputStream out = s.getOutputStream();
            while (!over.get()) {
                out.write(pings);
                taken.addAndGet(pings.length);
            }
        });
        broker.assertServesOthersWithin(PROBE_SECONDS);
        // Read on regardless, every PINGREQ leaves a PINGRESP queued in memory; stopped, the socket buffers fill.
        assertThat(taken.get()).as("bytes the broker took from a client that does not read").isLessThan(32L << 20);
    }

    @Test
    void fastQos0PublisherWithSubscriberOnAnotherLoopReadingFlatOut() throws Exception {
        fastPublisher(0, false, 1);
    }

    @Test
    void fastQos0PublisherWithSlowSubscriberOnTheSameLoop() throws Exception {
        fastPublisher(0, true, 2);
    }

    @Test
    void fastQos1PublisherWithSlowSubscriberOnAnotherLoop() throws Exception {
        fastPublisher(1, true, 1);
    }

    /**
     * A subscriber, then {@code gap - 1} idle connections, then a publisher: with the broker's two loops
     * taking connections in turn, gap 1 puts them on different loops, gap 2 on the same one.
     */
    private void fastPublisher(int qos, boolean slowSubscriber, int gap) throws Exception {
        Socket sub = connected("sub");
        sub.getOutputStream().write(RawPackets.subscribe(1, qos, "load/#"));
        assertThat(sub.getInputStream().readNBytes(5)[0]).isEqualTo((byte) 0x90);
        for (int i = 1; i < gap; i++) {
            connected("idle" + i);
        }
        Socket pub = connected("pub");
        AtomicLong read = new AtomicLong();
        attackers.submit(() -> {
            byte[] buffer = new byte[slowSubscriber ? 1024 : 65536];
            InputStream in = sub.getInputStream();
            OutputStream out = sub.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                read.addAndGet(n);
                if (slowSubscriber) {
                    Thread.sleep(5);
                }
                if (qos == 1) {
                    out.write(new byte[] {0x40, 2, 0, 1}); // acks some id: keeps the window moving
                }
            }
            return null;
        });
        byte[] batch = new byte[0];
        java.io.ByteArrayOutputStream many = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 64; i++) {
            many.writeBytes(RawPackets.publish("load/" + (i % 8), qos, 1 + i, new byte[1000]));
        }
        batch = many.toByteArray();
        byte[] messages = batch;
        during(over -> {
            OutputStream out = pub.getOutputStream();
            InputStream acks = pub.getInputStream();
            byte[] sink = new byte[65536];
            while (!over.get()) {
                out.write(messages);
                if (qos > 0 && acks.available() > 0) {
                    acks.read(sink);
                }
            }
        });
        broker.assertServesOthersWithin(PROBE_SECONDS);
        assertThat(read.get()).as("the subscriber was served").isPositive();
    }

    @Test
    void slowlorisConnectsWithLargeAnnouncedPackets() throws Exception {
        // 200 strangers each announce a 1,000,000-byte CONNECT and send 900 KB of it: 180 MB if buffered.
        byte[] start = concat(RawPackets.header(0x10, 1_000_000),
                new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60});
        attackManyConnections(200, broker.port, start, 900_000);
        broker.assertServesOthersWithin(PROBE_SECONDS);
    }

    @Test
    void slowlorisWebSocketFramesWithLargeAnnouncedLengths() throws Exception {
        byte[] upgrade = ("GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[14]; // a masked binary frame announcing 100 MB
        frame[0] = (byte) 0x82;
        frame[1] = (byte) (0x80 | 127);
        long length = 100_000_000L;
        for (int i = 0; i < 8; i++) {
            frame[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        attackManyConnections(100, broker.webSocketPort, concat(upgrade, frame), 2_000_000);
        broker.assertServesOthersWithin(PROBE_SECONDS);
    }

    /** {@code count} connections each send {@code start} then {@code bytes} zeros, in parallel. */
    private void attackManyConnections(int count, int port, byte[] start, int bytes) throws Exception {
        List<java.util.concurrent.Future<?>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(attackers.submit(() -> {
                try (Socket s = open(port)) {
                    OutputStream out = s.getOutputStream();
                    out.write(start);
                    byte[] chunk = new byte[16 * 1024];
                    for (int sent = 0; sent < bytes; sent += chunk.length) {
                        out.write(chunk);
                    }
                    Thread.sleep(2_000); // hold the socket open
                } catch (IOException e) {
                    // closed by the broker: what should happen
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : all) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void connectionStormFromManyLoopbackAddresses() throws Exception {
        AtomicLong connected = new AtomicLong();
        List<java.util.concurrent.Future<?>> all = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int worker = t;
            all.add(attackers.submit(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(ATTACK_SECONDS);
                for (int i = 0; System.nanoTime() < end; i++) {
                    try (Socket s = new Socket()) {
                        s.bind(new InetSocketAddress(InetAddress.getByName("127.0." + worker + "." + (2 + i % 250)), 0));
                        s.connect(new InetSocketAddress("127.0.0.1", broker.port));
                        s.getOutputStream().write(RawPackets.connect("storm-" + worker + "-" + i, 0));
                        if (s.getInputStream().read() == 0x20) {
                            connected.incrementAndGet();
                        }
                    } catch (IOException e) {
                        // refused under load: allowed
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : all) {
            f.get(60, TimeUnit.SECONDS);
        }
        broker.assertServesOthersWithin(PROBE_SECONDS);
        assertThat(connected.get()).as("connections served during the storm").isGreaterThan(1000);
    }

    @Test
    void qos2PacketIdReuseFloodWithoutReading() throws Exception {
        Socket s = connected("qos2");
        java.io.ByteArrayOutputStream many = new java.io.ByteArrayOutputStream();
        for (int id = 1; id <= 2000; id++) {
            many.writeBytes(RawPackets.publish("q2/" + (id % 16), 2, id, new byte[100]));
        }
        byte[] batch = many.toByteArray();
        during(over -> {
            OutputStream out = s.getOutputStream();
            while (!over.get()) {
                out.write(batch);
            }
        });
        broker.assertServesOthersWithin(PROBE_SECONDS);
    }

    @Test
    void subscribeFloodWithManyFiltersWithoutReading() throws Exception {
        Socket s = connected("filters");
        String[] filters = new String[2000];
        for (int i = 0; i < filters.length; i++) {
            filters[i] = "flood/" + i + "/+/#";
        }
        byte[] subscribe = RawPackets.subscribe(1, 1, filters);
        during(over -> {
            OutputStream out = s.getOutputStream();
            while (!over.get()) {
                out.write(subscribe);
            }
        });
        broker.assertServesOthersWithin(PROBE_SECONDS);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
