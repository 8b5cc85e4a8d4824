package io.starling.broker.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.transport.TlsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates: {@code require_certificate} with {@code cafile}, and the certificate as the
 * credential with {@code use_identity_as_username}.
 */
@Timeout(30)
class MutualTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki stranger;

    @BeforeAll
    static void makePki() {
        pki = new TestPki(dir, "mutual");
        stranger = new TestPki(dir, "stranger");
    }

    private static TlsSettings requireCertificate() {
        return TlsSettings.of(pki.serverCert, pki.serverKey).withCafile(pki.ca).withRequireCertificate(true);
    }

    @Test
    void requireCertificate_clientWithACaSignedCertificate_connects() throws Exception {
        try (TlsBroker broker = TlsBroker.start(requireCertificate())) {
            MqttClient client = TlsClients.paho(broker, pki.clientContext(true, "TLS"));
            assertThat(client.isConnected()).isTrue();
            TlsClients.closeQuietly(client);
        }
    }

    @Test
    void requireCertificate_clientWithoutCertificate_cannotConnect() throws Exception {
        try (TlsBroker broker = TlsBroker.start(requireCertificate())) {
            assertThatThrownBy(() -> TlsClients.paho(broker, pki.clientContext(false, "TLS")))
                    .isInstanceOf(MqttException.class);
            assertThatThrownBy(() -> TlsClients.connectWith(broker, pki.clientContext(false, "TLS"), List.of("TLSv1.2")))
                    .isInstanceOf(java.io.IOException.class); // an alert, or a reset if the server closed first
        }
    }

    @Test
    void requireCertificate_clientCertificateFromAnotherCa_cannotConnect() throws Exception {
        try (TlsBroker broker = TlsBroker.start(requireCertificate())) {
            // Trusts our server, but shows a certificate our CA did not sign.
            assertThatThrownBy(() -> TlsClients.paho(broker, stranger.clientContextTrusting(pki)))
                    .isInstanceOf(MqttException.class);
        }
    }

    @Test
    void withoutRequireCertificate_noClientCertificateIsAskedFor() throws Exception {
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey).withCafile(pki.ca);
        try (TlsBroker broker = TlsBroker.start(settings)) {
            MqttClient client = TlsClients.paho(broker, pki.clientContext(false, "TLS"));
            assertThat(client.isConnected()).isTrue();
            TlsClients.closeQuietly(client);
        }
    }

    @Test
    void useIdentityAsUsername_theCertificateLetsInAClientWithoutUsername() throws Exception {
        // No anonymous clients: only the certificate's identity can let this CONNECT (no user name) in.
        try (TlsBroker broker = TlsBroker.start(requireCertificate().withUseIdentityAsUsername(true),
                Authenticator.anonymous(false))) {
            MqttClient client = TlsClients.paho(broker, pki.clientContext(true, "TLS"));
            assertThat(client.isConnected()).isTrue();
            TlsClients.closeQuietly(client);
        }
    }

    @Test
    void withoutUseIdentityAsUsername_theSameClientIsRefusedAsAnonymous() throws Exception {
        try (TlsBroker broker = TlsBroker.start(requireCertificate(), Authenticator.anonymous(false))) {
            assertThatThrownBy(() -> TlsClients.paho(broker, pki.clientContext(true, "TLS")))
                    .isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                            .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        }
    }

    @Test
    void useIdentityAsUsernameWithoutCertificate_isRefusedAsBadUsernameOrPassword() throws Exception {
        // Mosquitto asks for no certificate without require_certificate, then refuses every CONNECT.
        TlsSettings settings = TlsSettings.of(pki.serverCert, pki.serverKey).withUseIdentityAsUsername(true);
        try (TlsBroker broker = TlsBroker.start(settings)) {
            MqttClient client = new MqttClient(broker.uri(), "no-cert-" + UUID.randomUUID(), new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setSocketFactory(pki.clientContext(false, "TLS").getSocketFactory());
            options.setUserName("someone");
            options.setPassword("anything".toCharArray());
            try {
                assertThatThrownBy(() -> client.connect(options))
                        .isInstanceOf(MqttException.class)
                        .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                                .isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
            } finally {
                client.close(true);
            }
        }
    }
}
