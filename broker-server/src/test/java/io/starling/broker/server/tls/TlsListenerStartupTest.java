package io.starling.broker.server.tls;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.transport.EventLoops;
import io.starling.broker.transport.TcpListener;
import io.starling.broker.transport.TlsSettings;
import io.starling.broker.transport.TlsSetupException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS listener whose files cannot be used does not start, and says which file and why. */
class TlsListenerStartupTest {
    @TempDir
    Path dir;
    private TestPki pki;
    private BrokerCore core;
    private EventLoops loops;

    @BeforeEach
    void setUp() {
        pki = new TestPki(dir, "startup");
        core = new BrokerCore(BrokerSettings.defaults());
        loops = new EventLoops(1);
    }

    @AfterEach
    void tearDown() {
        loops.close();
        core.close();
    }


    @Test
    void missingKeyfile_failsNamingIt_andLeavesThePortFree() throws Exception {
        Path missing = dir.resolve("missing.key");
        int port = freePort();

        assertThatThrownBy(() -> TcpListener.bind(core, loops, "127.0.0.1", port, TlsSettings.of(pki.serverCert, missing)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load server key file \"" + missing + "\": no such file. Check keyfile.");
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void unreadableKeyfile_failsNamingIt() throws Exception {
        Path locked = Files.copy(pki.serverKey, dir.resolve("locked.key"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        assumeTrue(!Files.isReadable(locked), "running as root: permissions do not stop reading");

        assertThatThrownBy(() -> TcpListener.bind(core, loops, "127.0.0.1", 0, TlsSettings.of(pki.serverCert, locked)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load server key file \"" + locked + "\": permission denied. Check keyfile.");
    }

    @Test
    void keyfileThatIsNoKey_failsNamingIt() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.key"), "this is not a key\n");

        assertThatThrownBy(() -> TcpListener.bind(core, loops, "127.0.0.1", 0, TlsSettings.of(pki.serverCert, garbage)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("Unable to load server key file \"" + garbage + "\": it holds no PEM private key. Check keyfile.")
                .satisfies(e -> assertThat(((TlsSetupException) e).file()).isEqualTo(garbage));
    }

    @Test
    void keyOfAnotherCertificate_failsAsInconsistent() {
        assertThatThrownBy(() -> TcpListener.bind(core, loops, "127.0.0.1", 0,
                TlsSettings.of(pki.serverCert, pki.clientKey)))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("are inconsistent");
    }

    @Test
    void validFiles_startATlsListener() throws Exception {
        TcpListener listener = TcpListener.bind(core, loops, "127.0.0.1", 0, TlsSettings.of(pki.serverCert, pki.serverKey));
        try {
            assertThat(listener.isTls()).isTrue();
            assertThat(listener.address().getPort()).isPositive();
        } finally {
            listener.close();
        }
    }
}
