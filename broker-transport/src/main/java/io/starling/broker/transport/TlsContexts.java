package io.starling.broker.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Netty {@link SslContext} of a TLS listener from its {@link TlsSettings}.
 *
 * <p>Provider: OpenSSL (netty-tcnative's statically linked BoringSSL) when it loads on this platform,
 * as it is faster and reads cipher lists the way mosquitto's OpenSSL does; the JDK's provider
 * otherwise, and also when {@code ciphers_tls1.3} is set, as BoringSSL does not let TLS 1.3 suites
 * be chosen. Both get the same keys, certificates, protocols and suites.
 *
 * <p>Mosquitto semantics kept: {@code tls_version} is the lowest version; without
 * {@code require_certificate} no client certificate is asked for (OpenSSL's
 * {@code SSL_VERIFY_NONE}); {@code ciphers} restricts TLS 1.2 and older only; a key that does not
 * belong to the certificate fails at start-up.
 */
public final class TlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

    private TlsContexts() {
    }

    /**
     * The context for a listener, with the provider {@link #providerFor} picks.
     *
     * @throws TlsSetupException when a file is missing, unreadable or invalid, or a choice cannot be
     *     honoured; the message names the option and the file
     */
    public static SslContext build(TlsSettings settings) {
        return build(settings, providerFor(settings));
    }

    /**
     * A client's context (a bridge connecting out): the server's certificate checked against {@code cafile} and
     * {@code capath}, a client certificate when {@code certfile} and {@code keyfile} are given, TLS 1.2 and 1.3
     * unless {@code version} names one, and an ALPN protocol when given.
     *
     * @throws TlsSetupException when a file is missing, unreadable or invalid
     */
    public static SslContext client(java.nio.file.Path cafile, java.nio.file.Path capath, java.nio.file.Path certfile,
                                    java.nio.file.Path keyfile, String version, String alpn) {
        List<X509Certificate> cas = PemFiles.caCertificates(cafile, capath);
        SslContextBuilder builder = SslContextBuilder.forClient().trustManager(cas)
                .protocols(version == null ? List.of("TLSv1.3", "TLSv1.2")
                        : List.of(version.equals("tlsv1.3") ? "TLSv1.3" : "TLSv1.2"));
        if (certfile != null) {
            List<X509Certificate> chain = PemFiles.serverCertificates(certfile);
            PrivateKey key = PemFiles.privateKey(keyfile);
            PemFiles.checkKeyMatches(key, chain.get(0), keyfile, certfile);
            builder.keyManager(key, chain);
        }
        if (alpn != null) {
            builder.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                    io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                    io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        try {
            return builder.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsSetupException("Unable to set up TLS for a connection with cafile \"" + cafile + "\": "
                    + e.getMessage(), cafile, e);
        }
    }

    /** The context with the given provider (tests run both). */
    public static SslContext build(TlsSettings settings, SslProvider provider) {
        List<X509Certificate> chain = PemFiles.serverCertificates(settings.certfile());
        PrivateKey key = PemFiles.privateKey(settings.keyfile());
        PemFiles.checkKeyMatches(key, chain.get(0), settings.keyfile(), settings.certfile());
        List<X509Certificate> cas = settings.cafile() != null || settings.capath() != null
                ? PemFiles.caCertificates(settings.cafile(), settings.capath()) : List.of();

        SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                .sslProvider(provider)
                .protocols(settings.tlsVersion().protocols());
        if (settings.requireCertificate()) {
            builder.trustManager(cas).clientAuth(ClientAuth.REQUIRE);
        } else {
            builder.clientAuth(ClientAuth.NONE);
        }
        List<String> suites = suites(settings);
        if (suites != null) {
            builder.ciphers(suites, SupportedCipherSuiteFilter.INSTANCE);
        }
        SslContext context;
        try {
            context = builder.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsSetupException("Unable to set up TLS with certfile \"" + settings.certfile() + "\" and keyfile \""
                    + settings.keyfile() + "\": " + e.getMessage(), settings.keyfile(), e);
        }
        if (suites != null && context.cipherSuites().isEmpty()) {
            throw new TlsSetupException("None of the configured ciphers is supported by the " + provider + " provider: "
                    + suites, null);
        }
        LOG.debug("TLS context for {} with the {} provider: protocols {}, {} cipher suites.", settings.certfile(),
                provider, settings.tlsVersion().protocols(), context.cipherSuites().size());
        return context;
    }

    /** OpenSSL when it is available and can honour the settings, the JDK's provider otherwise. */
    public static SslProvider providerFor(TlsSettings settings) {
        if (!OpenSsl.isAvailable()) {
            return SslProvider.JDK;
        }
        if (settings.ciphersTls13() != null && "BoringSSL".equals(OpenSsl.versionString())) {
            return SslProvider.JDK; // BoringSSL's TLS 1.3 suites are fixed
        }
        return SslProvider.OPENSSL;
    }

    /** The suites to enable, or null for the provider's defaults. */
    private static List<String> suites(TlsSettings settings) {
        if (settings.ciphers() == null && settings.ciphersTls13() == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (settings.tlsVersion() != TlsVersion.TLS_1_3) {
            out.addAll(settings.ciphers() != null ? CipherList.tls12(settings.ciphers()) : CipherList.DEFAULT_TLS12);
        }
        out.addAll(settings.ciphersTls13() != null ? CipherList.tls13(settings.ciphersTls13()) : CipherList.DEFAULT_TLS13);
        return out;
    }
}
