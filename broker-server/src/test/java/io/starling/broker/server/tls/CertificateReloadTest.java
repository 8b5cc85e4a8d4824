package io.starling.broker.server.tls;

import static io.starling.broker.testkit.FreePorts.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.ConfigFile;
import io.starling.broker.server.Broker;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP reads a TLS listener's certificate and key again from the same files, as mosquitto 2.0 does
 * ("TLS certificates for the server are now reloaded on SIGHUP", its 2.0.0 changelog): a renewed
 * certificate reaches new connections without a restart; open connections keep theirs.
 */
class CertificateReloadTest {
    @TempDir
    Path dir;

    @Test
    void aReload_givesNewConnectionsTheCertificateNowInTheFiles() throws Exception {
        TestPki before = new TestPki(dir, "before");
        TestPki after = new TestPki(dir, "after");
        Path cert = Files.copy(before.serverCert, dir.resolve("server.pem"));
        Path key = Files.copy(before.serverKey, dir.resolve("server.key"));
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + freePort() + " 127.0.0.1\n"
                + "allow_anonymous true\ncertfile " + cert + "\nkeyfile " + key + "\n");

        try (Broker broker = Broker.start(ConfigFile.read(conf))) {
            try (SSLSocket open = handshake(broker)) {
                assertThat(served(open)).isEqualTo(read(before.serverCert));

                Files.copy(after.serverCert, cert, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(after.serverKey, key, StandardCopyOption.REPLACE_EXISTING);
                assertThat(broker.reload(conf)).isTrue();

                try (SSLSocket next = handshake(broker)) {
                    assertThat(served(next)).isEqualTo(read(after.serverCert));
                }
                assertThat(served(open)).isEqualTo(read(before.serverCert));
            }
        }
    }

    @Test
    void aCertificateThatCannotBeRead_leavesTheOldOneInUse() throws Exception {
        TestPki before = new TestPki(dir, "before");
        Path cert = Files.copy(before.serverCert, dir.resolve("server.pem"));
        Path key = Files.copy(before.serverKey, dir.resolve("server.key"));
        Path conf = Files.writeString(dir.resolve("mosquitto.conf"), "listener " + freePort() + " 127.0.0.1\n"
                + "allow_anonymous true\ncertfile " + cert + "\nkeyfile " + key + "\n");

        try (Broker broker = Broker.start(ConfigFile.read(conf))) {
            Files.writeString(key, "not a key\n");
            broker.reload(conf);

            try (SSLSocket next = handshake(broker)) {
                assertThat(served(next)).isEqualTo(read(before.serverCert));
            }
        }
    }

    private static SSLSocket handshake(Broker broker) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new TrustEverything()}, null);
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", broker.port());
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    private static Certificate served(SSLSocket socket) throws Exception {
        return socket.getSession().getPeerCertificates()[0];
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }


    /** The test checks which certificate is served, not whether it is trusted. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
