package io.starling.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TlsOptionsTest extends ConfigTestSupport {

    @Test
    void everyCertificateOption_isReadIntoTheListener() throws Exception {
        BrokerConfig c = read("""
                listener 1883
                listener 8883
                cafile /etc/mosquitto/ca_certificates/ca.crt
                capath /etc/mosquitto/ca_certificates
                certfile /etc/mosquitto/certs/server.crt
                keyfile /etc/mosquitto/certs/server.key
                tls_version tlsv1.3
                ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256
                ciphers_tls1.3 TLS_AES_256_GCM_SHA384
                require_certificate true
                use_identity_as_username true
                use_subject_as_username false
                crlfile /etc/mosquitto/crl.pem
                dhparamfile /etc/mosquitto/dhparam.pem
                tls_engine pkcs11
                tls_keyform engine
                """);
        assertThat(c.listeners().get(0).tls()).isEqualTo(TlsConfig.NONE);
        TlsConfig tls = c.listeners().get(1).tls();
        assertThat(tls).isEqualTo(new TlsConfig(Path.of("/etc/mosquitto/ca_certificates/ca.crt"),
                Path.of("/etc/mosquitto/ca_certificates"), Path.of("/etc/mosquitto/certs/server.crt"),
                Path.of("/etc/mosquitto/certs/server.key"), TlsVersion.TLS_1_3,
                "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_256_GCM_SHA384", true, true, false,
                Path.of("/etc/mosquitto/crl.pem"), Path.of("/etc/mosquitto/dhparam.pem"), "pkcs11", KeyForm.ENGINE, null));
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.usesCertificates()).isTrue();
        assertThat(tls.usesPsk()).isFalse();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void certfileAndKeyfile_alone_giveTls12AndUpWithPemKeys() throws Exception {
        BrokerConfig c = read("listener 8883\ncertfile /c.pem\nkeyfile /k.pem\n");
        TlsConfig tls = c.listeners().get(0).tls();
        assertThat(tls.minimumVersion()).isEqualTo(TlsVersion.TLS_1_2);
        assertThat(tls.keyForm()).isEqualTo(KeyForm.PEM);
        assertThat(tls.requireCertificate()).isFalse();
    }

    @Test
    void tlsVersions_tls11And12_areKnown() throws Exception {
        BrokerConfig c = read("listener 8883\ncertfile /c\nkeyfile /k\ntls_version tlsv1.1\n"
                + "listener 8884\ncertfile /c\nkeyfile /k\ntls_version tlsv1.2\ntls_keyform pem\n");
        assertThat(c.listeners()).extracting(l -> l.tls().minimumVersion())
                .containsExactly(TlsVersion.TLS_1_1, TlsVersion.TLS_1_2);
        assertThat(TlsVersion.TLS_1_3.jdkName()).isEqualTo("TLSv1.3");
    }

    @Test
    void pskOptions_areReadIntoTheListener() throws Exception {
        BrokerConfig c = read("listener 8884\npsk_hint my hint\nuse_identity_as_username true\nciphers PSK-AES128-CBC-SHA\n"
                + "psk_file /etc/mosquitto/psk\n");
        TlsConfig tls = c.listeners().get(0).tls();
        assertThat(tls.pskHint()).isEqualTo("my hint");
        assertThat(tls.usesPsk()).isTrue();
        assertThat(tls.usesCertificates()).isFalse();
        assertThat(tls.useIdentityAsUsername()).isTrue();
        assertThat(tls.ciphers()).isEqualTo("PSK-AES128-CBC-SHA");
        assertThat(c.security().pskFile()).isEqualTo(Path.of("/etc/mosquitto/psk"));
    }

    @Test
    void legacyDefaultListener_canUseTls() throws Exception {
        BrokerConfig c = read("port 8883\ncafile /ca\ncertfile /c\nkeyfile /k\n");
        assertThat(c.listeners()).singleElement().satisfies(l -> {
            assertThat(l.port()).isEqualTo(8883);
            assertThat(l.tls().cafile()).isEqualTo(Path.of("/ca"));
            assertThat(l.tls().enabled()).isTrue();
        });
    }

    @Test
    void tlsOptionsWithoutCertificateOrPsk_haveNoEffect_andSayWhy() throws Exception {
        BrokerConfig c = read("listener 8883\ncafile /ca\nrequire_certificate true\n");
        assertThat(c.listeners().get(0).tls()).isEqualTo(TlsConfig.NONE);
        assertThat(c.warnings()).containsExactly(
                warningAt(2, "'cafile' has no effect: listener 8883 has neither certfile and keyfile nor psk_hint, "
                        + "so it does not use TLS."),
                warningAt(3, "'require_certificate' has no effect: listener 8883 has neither certfile and keyfile nor "
                        + "psk_hint, so it does not use TLS."));
    }

    @Test
    void pathsWithSpaces_areKept() throws Exception {
        BrokerConfig c = read("listener 8883\ncertfile /etc/my certs/server.crt\nkeyfile /etc/my certs/server.key  \n");
        assertThat(c.listeners().get(0).tls().certfile()).isEqualTo(Path.of("/etc/my certs/server.crt"));
        assertThat(c.listeners().get(0).tls().keyfile()).isEqualTo(Path.of("/etc/my certs/server.key"));
    }
}
