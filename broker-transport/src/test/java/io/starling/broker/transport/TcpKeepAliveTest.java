package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Accepted sockets keep TCP keepalive on (issue 14, finding 14): a 3.1.1 client with keepalive 0
 * whose host died is found by TCP, 5 minutes after it went silent and 4 probes later. Read from the
 * kernel with {@code ss}, as an operator would check it.
 */
class TcpKeepAliveTest {
    private EventLoops loops;
    private TcpListener listener;

    @BeforeEach
    void start() throws InterruptedException {
        loops = new EventLoops(1);
        listener = TcpListener.bind(new BrokerCore(BrokerSettings.defaults()), loops, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        listener.close();
        loops.close();
    }

    @Test
    void acceptedSocket_hasTcpKeepAliveWithAFiveMinuteIdleTime() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")), "ss (iproute2)");
        assumeTrue(loops.isEpoll(), "the idle time is set through epoll's socket options");
        int port = listener.address().getPort();
        try (Socket client = new Socket("127.0.0.1", port)) {
            String line = "";
            for (int i = 0; i < 50 && !line.contains("keepalive"); i++) {
                Thread.sleep(100);
                line = ss(port);
            }
            // e.g. "ESTAB 0 0 127.0.0.1:41235 127.0.0.1:50112 timer:(keepalive,4min59sec,0)"
            assertThat(line).contains("timer:(keepalive,4min");
        }
    }

    @Test
    void listeningSocket_carriesTheOptionsForAcceptedSocketsToInherit() {
        // Set once on the listener instead of five system calls on every accepted socket (issue 16).
        assumeTrue(loops.isEpoll(), "the listener's options are set through epoll's socket options");
        io.netty.channel.ChannelConfig config = listener.serverChannel().config();

        assertThat(config.getOption(ListeningSocketOptions.SO_KEEPALIVE)).isEqualTo(1);
        assertThat(config.getOption(ListeningSocketOptions.TCP_KEEPIDLE)).isEqualTo(TcpListener.KEEPALIVE_IDLE_SECONDS);
        assertThat(config.getOption(ListeningSocketOptions.TCP_KEEPINTVL)).isEqualTo(TcpListener.KEEPALIVE_INTERVAL_SECONDS);
        assertThat(config.getOption(ListeningSocketOptions.TCP_KEEPCNT)).isEqualTo(TcpListener.KEEPALIVE_PROBES);
        assertThat(config.getOption(ListeningSocketOptions.TCP_NODELAY)).isEqualTo(1);
    }

    /** The broker's side of the connection: the socket whose local port is the listener's. */
    private static String ss(int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ss", "-tnoH", "state", "established", "( sport = :" + port + " )")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
