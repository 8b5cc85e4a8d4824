package io.starling.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ChannelConnection#tlsUsername()} after a real handshake between two in-memory channels: the
 * server's has the transport prefix as a TLS listener adds it, the client's a Netty client handler.
 */
class ChannelConnectionTlsTest {
    @TempDir
    static Path dir;
    static OpensslPki pki;

    private SslContext serverContext;
    private SslContext clientContext;
    private EmbeddedChannel server;
    private EmbeddedChannel client;

    @BeforeAll
    static void makePki() throws IOException {
        assumeTrue(OpensslPki.installed(), "openssl not installed");
        pki = new OpensslPki(dir);
    }

    static Stream<SslProvider> providers() {
        return OpenSsl.isAvailable() ? Stream.of(SslProvider.JDK, SslProvider.OPENSSL) : Stream.of(SslProvider.JDK);
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.finishAndReleaseAll();
        }
        if (client != null) {
            client.finishAndReleaseAll();
        }
        ReferenceCountUtil.release(serverContext);
        ReferenceCountUtil.release(clientContext);
    }

    /** Connects a client (with the client certificate or without one) and returns the server's connection. */
    private ChannelConnection handshake(TlsSettings settings, SslProvider provider, boolean clientCertificate)
            throws IOException {
        serverContext = TlsContexts.build(settings, provider);
        SslContextBuilder clientBuilder = SslContextBuilder.forClient().trustManager(pki.caCert.toFile());
        if (clientCertificate) {
            clientBuilder.keyManager(pki.clientCert.toFile(), pki.clientKey.toFile());
        }
        clientContext = clientBuilder.build();
        server = new EmbeddedChannel();
        TransportPrefix.tls(serverContext).addTo(server);
        client = new EmbeddedChannel(clientContext.newHandler(ByteBufAllocator.DEFAULT, "localhost", 8883));
        SslHandler serverTls = (SslHandler) server.pipeline().get(HandlerNames.TLS);
        SslHandler clientTls = client.pipeline().get(SslHandler.class);
        for (int i = 0; i < 100 && !(serverTls.handshakeFuture().isDone() && clientTls.handshakeFuture().isDone()); i++) {
            pump(client, server);
            pump(server, client);
        }
        assertThat(serverTls.handshakeFuture().isSuccess()).as("handshake: %s", serverTls.handshakeFuture().cause()).isTrue();
        return ChannelConnection.standalone(server, settings.certificateUsername());
    }

    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        for (ByteBuf out; (out = from.readOutbound()) != null; ) {
            to.writeInbound(out);
        }
        from.runPendingTasks();
        to.runPendingTasks();
    }

    private static TlsSettings mutual() {
        return TlsSettings.of(pki.serverCert, pki.serverKey).withCafile(pki.caCert).withRequireCertificate(true);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void useIdentityAsUsername_givesTheCertificateCn(SslProvider provider) throws IOException {
        ChannelConnection connection = handshake(mutual().withUseIdentityAsUsername(true), provider, true);

        assertThat(connection.usernameFromCertificate()).isTrue();
        assertThat(connection.tlsUsername()).isEqualTo("test client");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void useSubjectAsUsername_givesTheWholeSubject(SslProvider provider) throws IOException {
        ChannelConnection connection = handshake(mutual().withUseSubjectAsUsername(true), provider, true);

        assertThat(connection.tlsUsername()).isEqualTo("CN=test client,O=Starling,C=GB");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void identityWinsOverSubject_whenBothAreSet(SslProvider provider) throws IOException {
        ChannelConnection connection = handshake(mutual().withUseIdentityAsUsername(true).withUseSubjectAsUsername(true),
                provider, true);

        assertThat(connection.tlsUsername()).isEqualTo("test client");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void withoutTheOptions_theConnectUsernameCounts(SslProvider provider) throws IOException {
        ChannelConnection connection = handshake(mutual(), provider, true);

        assertThat(connection.usernameFromCertificate()).isFalse();
        assertThat(connection.tlsUsername()).isNull();
    }

    @ParameterizedTest
    @MethodSource("providers")
    void identityWithoutRequireCertificate_hasNoCertificateToName(SslProvider provider) throws IOException {
        // Mosquitto asks for no client certificate then, and refuses every CONNECT on such a listener.
        ChannelConnection connection = handshake(TlsSettings.of(pki.serverCert, pki.serverKey)
                .withUseIdentityAsUsername(true), provider, true);

        assertThat(connection.usernameFromCertificate()).isTrue();
        assertThat(connection.tlsUsername()).isNull();
    }

    @Test
    void plainConnection_hasNoTlsUsername() {
        server = new EmbeddedChannel();
        ChannelConnection connection = ChannelConnection.standalone(server, CertificateUsername.COMMON_NAME);

        assertThat(connection.tlsUsername()).isNull();
    }
}
