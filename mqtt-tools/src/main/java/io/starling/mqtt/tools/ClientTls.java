package io.starling.mqtt.tools;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * The TLS options of mosquitto_pub/sub turned into a Netty {@link SslContext} (the JDK's provider):
 * {@code --cafile} and {@code --capath} (every certificate file in the directory; mosquitto wants
 * {@code .crt} files and {@code openssl rehash}, Java needs neither) are the only trusted CAs; without
 * them ({@code mqtts://}, port 8883, {@code --tls-use-os-certs}) the JDK's trusted CAs are used.
 * {@code --cert}/{@code --key} is the client certificate (keys in PKCS#8, PKCS#1 or SEC1 PEM),
 * {@code --tls-version} the one protocol version offered, {@code --tls-alpn} the ALPN protocol.
 *
 * <p>{@code --insecure} turns off the host name check only, as in mosquitto 2.0 (the chain is still
 * verified); that is {@link io.starling.mqtt.tools.client.ClientOptions#verifyHostname()}, not this.
 * {@code --ciphers} takes OpenSSL cipher names, which the JDK does not know: it is accepted and ignored.
 */
final class ClientTls {
    private ClientTls() {
    }

    /** A TLS option that cannot be honoured, with mosquitto's message and exit status. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    static SslContext context(ClientArguments a) throws Unusable {
        if (a.tlsEngine != null) {
            throw new Unusable("Error: Problem setting TLS engine, is " + a.tlsEngine + " a valid engine?\n");
        }
        if (a.keyform != null && !a.keyform.equals("pem")) {
            throw new Unusable("Error: Problem setting key form, it must be one of 'pem' or 'engine'.\n");
        }
        return context(a.cafile, a.capath, a.certfile, a.keyfile, a.tlsVersion, a.tlsAlpn);
    }

    /** The context for these options, each null when not given (also {@code starling bench}'s). */
    static SslContext context(String cafile, String capath, String certfile, String keyfile, String tlsVersion,
                              String tlsAlpn) throws Unusable {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
        if (cafile != null || capath != null) {
            List<X509Certificate> trusted = new ArrayList<>();
            try {
                if (cafile != null) {
                    trusted.addAll(read(Path.of(cafile)));
                }
                if (capath != null) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(capath))) {
                        for (Path file : files) {
                            if (Files.isRegularFile(file)) {
                                try {
                                    trusted.addAll(read(file));
                                } catch (CertificateException e) {
                                    // not a certificate: mosquitto (OpenSSL) skips it too
                                }
                            }
                        }
                    }
                }
            } catch (IOException | CertificateException e) {
                throw new Unusable("Error: Problem setting TLS options: File not found.\n");
            }
            builder.trustManager(trusted.toArray(X509Certificate[]::new));
        }
        if (certfile != null) {
            if (!Files.isReadable(Path.of(certfile)) || !Files.isReadable(Path.of(keyfile))) {
                throw new Unusable("Error: Problem setting TLS options: File not found.\n");
            }
            builder.keyManager(new File(certfile), new File(keyfile));
        }
        if (tlsVersion != null) {
            builder.protocols(protocol(tlsVersion));
        }
        if (tlsAlpn != null) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, tlsAlpn));
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new Unusable("Error: Problem setting TLS options: " + e.getMessage() + ".\n");
        }
    }

    /** mosquitto's names (tlsv1.3, tlsv1.2, tlsv1.1) as the JDK's. */
    static String protocol(String mosquittoName) throws Unusable {
        switch (mosquittoName.toLowerCase(Locale.ROOT)) {
            case "tlsv1.3": return "TLSv1.3";
            case "tlsv1.2": return "TLSv1.2";
            case "tlsv1.1": return "TLSv1.1";
            default: throw new Unusable("Error: Problem setting TLS options, check the options are valid.\n");
        }
    }

    private static List<X509Certificate> read(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            CertificateFactory.getInstance("X.509").generateCertificates(in)
                    .forEach(c -> certificates.add((X509Certificate) c));
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate in " + file);
            }
            return certificates;
        }
    }
}
