package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read timeout kept by {@link ClientChannelHandler}: the CONNECT timeout for a socket that says
 * nothing, then 1.5 times the keepalive, re-armed by every read.
 */
@Timeout(20)
class ReadTimeoutTest {
    /** CONNECT, MQTT 3.1.1, clean session, keepalive 1 s, client id "rt". */
    private static final byte[] CONNECT_KEEPALIVE_1 = {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 1, 0, 2, 'r', 't'};
    private static final byte[] PINGREQ = {(byte) 0xC0, 0};

    private EventLoops loops;
    private TcpListener listener;
    private BrokerCore core;

    @BeforeEach
    void start() throws InterruptedException {
        core = new BrokerCore(BrokerSettings.defaults().toBuilder().connectTimeoutSeconds(1).build());
        loops = new EventLoops(1);
        listener = TcpListener.bind(core, loops, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        listener.close();
        loops.close();
    }

    /** Milliseconds until the broker closes the socket (reads what it sends meanwhile), or -1 after {@code maxMillis}. */
    private static long millisUntilClosed(Socket socket, long maxMillis) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) maxMillis);
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // CONNACK, PINGRESP: not what is measured
            }
        } catch (SocketTimeoutException e) {
            return -1;
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void socketThatNeverSendsConnect_isClosedAfterTheConnectTimeout() throws IOException {
        try (Socket s = new Socket("127.0.0.1", listener.address().getPort())) {
            assertThat(millisUntilClosed(s, 5_000)).isBetween(800L, 2_500L);
        }
    }

    @Test
    void connectThatWaitsOnTheBrokerLongerThanTheConnectTimeout_isAnsweredNotClosed() throws Exception {
        // A cluster's claim of the client id (a takeover across a partition waits for the old node's lease,
        // half a minute by default) outlasting the 1 s CONNECT timeout: the client did send its CONNECT.
        java.util.concurrent.CompletableFuture<io.starling.broker.core.session.ClientIdClaims.Claim> claim =
                new java.util.concurrent.CompletableFuture<>();
        core.setClientIdClaims(new io.starling.broker.core.session.ClientIdClaims() {
            @Override
            public java.util.concurrent.CompletableFuture<Claim> claim(String clientId) {
                return claim;
            }

            @Override
            public void release(String clientId, long token) {
            }
        });
        try (Socket s = new Socket("127.0.0.1", listener.address().getPort())) {
            s.getOutputStream().write(new byte[] {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 2, 'r', 't'});
            Thread.sleep(2_500); // time itself: the CONNECT timeout must pass with the claim unanswered
            claim.complete(io.starling.broker.core.session.ClientIdClaims.Claim.granted(1));
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            assertThat(in.read()).as("CONNACK, not a close").isEqualTo(0x20);
        }
    }

    @Test
    void silentClient_isClosedAfterOneAndAHalfKeepAlives() throws IOException {
        try (Socket s = new Socket("127.0.0.1", listener.address().getPort())) {
            s.getOutputStream().write(CONNECT_KEEPALIVE_1);
            assertThat(millisUntilClosed(s, 5_000)).isBetween(1_300L, 2_500L);
        }
    }

    @Test
    void readsKeepRearmingTheTimeout_pastSeveralTimeoutPeriods() throws Exception {
        try (Socket s = new Socket("127.0.0.1", listener.address().getPort())) {
            s.getOutputStream().write(CONNECT_KEEPALIVE_1);
            for (int i = 0; i < 8; i++) { // 4 s: more than twice the 1.5 s timeout
                Thread.sleep(500);
                s.getOutputStream().write(PINGREQ);
            }
            assertThat(s.getInputStream().available()).isPositive(); // CONNACK and PINGRESPs, no close yet
            assertThat(millisUntilClosed(s, 5_000)).as("closed once the pings stop").isBetween(1_000L, 2_500L);
        }
    }

    @Test
    void manyConnections_onlyTheSilentOnesTimeOut_andTheWheelEmptiesWhenAllAreGone() throws Exception {
        // 20 connections share the wheel's slots (same keepalive, same moment): every other one pings.
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", listener.address().getPort());
                byte[] connect = CONNECT_KEEPALIVE_1.clone();
                connect[connect.length - 1] = (byte) ('a' + i); // own client id: the same one would take over
                s.getOutputStream().write(connect);
                sockets.add(s);
            }
            for (int round = 0; round < 6; round++) { // 3 s: twice the 1.5 s timeout
                Thread.sleep(500);
                for (int i = 0; i < sockets.size(); i += 2) {
                    sockets.get(i).getOutputStream().write(PINGREQ);
                }
            }
            for (int i = 1; i < sockets.size(); i += 2) {
                assertThat(millisUntilClosed(sockets.get(i), 100)).as("silent connection %d closed", i).isNotNegative();
            }
            for (int i = 0; i < sockets.size(); i += 2) {
                Socket s = sockets.get(i);
                s.setSoTimeout(100);
                assertThat(drainUntilQuiet(s)).as("pinging connection %d still open", i).isTrue();
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        ReadDeadlines deadlines = loops.connectionsOf(loops.workers().next()).deadlines();
        long until = System.nanoTime() + 3_000_000_000L;
        while (loops.workers().next().submit(deadlines::size).get() > 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(loops.workers().next().submit(deadlines::size).get()).isZero();
    }

    /** Reads what the broker sent; true if the socket is still open after that. */
    private static boolean drainUntilQuiet(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return false;
                }
            }
        } catch (SocketTimeoutException e) {
            return true;
        }
    }
}
