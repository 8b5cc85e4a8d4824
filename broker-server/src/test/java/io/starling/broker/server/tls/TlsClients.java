package io.starling.broker.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Clients for the TLS tests: Paho over a given {@link SSLContext}, and a bare MQTT 3.1.1 CONNECT over TLS. */
final class TlsClients {
    static final int TIMEOUT_SECONDS = 5;

    private TlsClients() {
    }

    /** A connected Paho v3 client over TLS (clean session); the caller closes it. */
    static MqttClient paho(TlsBroker broker, SSLContext tls) throws MqttException {
        MqttClient client = new MqttClient(broker.uri(), "tls-" + UUID.randomUUID(), new MemoryPersistence());
        client.setTimeToWait(TIMEOUT_SECONDS * 1000L);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setSocketFactory(tls.getSocketFactory());
        options.setConnectionTimeout(TIMEOUT_SECONDS);
        options.setCleanSession(true);
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return client;
    }

    static void closeQuietly(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(0);
            }
            client.close(true);
        } catch (MqttException e) {
            // gone already
        }
    }

    /**
     * Opens a TLS socket with only the given protocols enabled, sends an MQTT 3.1.1 CONNECT and reads
     * the CONNACK: returns the negotiated protocol.
     *
     * @throws IOException when the handshake or the exchange fails
     */
    static String connectWith(TlsBroker broker, SSLContext tls, List<String> protocols) throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), TIMEOUT_SECONDS * 1000);
            socket.setSoTimeout(TIMEOUT_SECONDS * 1000);
            socket.setEnabledProtocols(protocols.toArray(String[]::new));
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            byte[] clientId = ("raw-" + UUID.randomUUID().toString().substring(0, 8)).getBytes(StandardCharsets.UTF_8);
            byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, (byte) clientId.length};
            out.write(0x10);
            out.write(variable.length + clientId.length);
            out.write(variable);
            out.write(clientId);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] connAck = in.readNBytes(4);
            if (connAck.length != 4 || connAck[0] != 0x20 || connAck[3] != 0) {
                throw new IOException("no successful CONNACK: " + java.util.Arrays.toString(connAck));
            }
            return socket.getSession().getProtocol();
        }
    }
}
