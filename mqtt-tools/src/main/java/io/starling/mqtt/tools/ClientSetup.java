package io.starling.mqtt.tools;

import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.Will;
import io.starling.mqtt.tools.client.ClientOptions;
import io.starling.mqtt.tools.client.ConnectRefusedException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * What {@code starling pub} and {@code starling sub} share: the {@link ClientOptions} their arguments
 * make, and the messages and exit statuses of a connection that fails, as mosquitto_pub/sub 2.0 print
 * them ("Error: Connection refused", "Connection error: Connection Refused: not authorised.").
 */
final class ClientSetup {
    private ClientSetup() {
    }

    /** A run that cannot go on: the message for standard error and the exit status. */
    static final class Failure extends Exception {
        final int status;

        Failure(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /**
     * The client options for these arguments.
     *
     * @param processId the process id, appended to {@code -I}'s prefix
     */
    static ClientOptions options(ClientArguments a, long processId, PrintStream debugOut) throws Failure {
        if (a.unixSocket != null) {
            throw new Failure("Error: Unix domain sockets are not supported by starling " + a.tool.name().toLowerCase()
                    + ".\n", 1);
        }
        if (a.proxy != null) {
            throw new Failure("Error: SOCKS proxies are not supported by starling " + a.tool.name().toLowerCase()
                    + ".\n", 1);
        }
        if (a.psk != null) {
            throw new Failure("Error: TLS-PSK is not supported by starling " + a.tool.name().toLowerCase() + ".\n", 1);
        }
        ClientOptions.Builder b = ClientOptions.builder()
                .host(a.host)
                .port(a.effectivePort())
                .clientId(clientId(a, processId))
                .version(a.version)
                .cleanStart(a.cleanSession)
                .keepAliveSeconds(a.keepalive)
                .username(a.username)
                .password(a.password == null ? null : a.password.getBytes(StandardCharsets.UTF_8))
                .connectProperties(connectProperties(a))
                .tcpNoDelay(a.noDelay)
                .maxInflight(a.maxInflight)
                .verifyHostname(!a.insecure);
        if (a.willTopic != null) {
            b.will(new Will(a.willTopic, a.willPayload == null ? new byte[0] : a.willPayload, QoS.of(a.willQos),
                    a.willRetain, a.version.isV5() ? a.willProperties() : Properties.EMPTY));
        }
        if (a.usesTls()) {
            try {
                b.tls(ClientTls.context(a));
            } catch (ClientTls.Unusable e) {
                throw new Failure(e.getMessage(), 1);
            }
        }
        if (a.bindAddress != null) {
            try {
                b.sourceAddress(InetAddress.getByName(a.bindAddress));
            } catch (UnknownHostException e) {
                throw new Failure("Unable to connect (Lookup error.).\n", 1);
            }
        }
        if (a.debug) {
            b.trace(new DebugTrace(debugOut));
        }
        return b.build();
    }

    /** {@code -i}; {@code -I} and the process id; else empty, for the server to assign (as 2.0 does). */
    static String clientId(ClientArguments a, long processId) {
        if (a.idPrefix != null) {
            return a.idPrefix + processId;
        }
        return a.id == null ? "" : a.id;
    }

    /**
     * The CONNECT properties: those given, and in 5.0 libmosquitto's Receive Maximum of 20 (or the
     * {@code -C} count below it, so no more messages arrive than are wanted) unless one was given.
     */
    private static Properties connectProperties(ClientArguments a) {
        if (!a.version.isV5()) {
            return Properties.EMPTY;
        }
        Properties given = a.connectProperties();
        if (given.contains(PropertyId.RECEIVE_MAXIMUM)) {
            return given;
        }
        Properties.Builder b = Properties.builder();
        given.asList().forEach(b::add);
        return b.number(PropertyId.RECEIVE_MAXIMUM, a.msgCount > 0 && a.msgCount < 20 ? a.msgCount : 20).build();
    }

    /** The message and status for a connection that did not come up. */
    static Failure connectFailure(Throwable error, MqttVersion version, boolean pub) {
        Throwable cause = unwrap(error);
        if (cause instanceof ConnectRefusedException refused) {
            String message = ReasonStrings.connectionError(refused.reasonCode(), version.isV5());
            if (pub) {
                message += "Error: " + ReasonStrings.error(version.isV5() ? ReasonStrings.MOSQ_ERR_PROTOCOL
                        : ReasonStrings.MOSQ_ERR_CONN_REFUSED) + "\n";
            }
            return new Failure(message, refused.reasonCode());
        }
        if (cause instanceof UnknownHostException) {
            return new Failure("Unable to connect (Lookup error.).\n", 1);
        }
        if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
            return new Failure("Error: " + errnoText(cause) + "\n", 1);
        }
        if (cause instanceof SSLException) {
            return new Failure("Error: " + ReasonStrings.error(ReasonStrings.MOSQ_ERR_TLS) + "\n",
                    ReasonStrings.MOSQ_ERR_TLS);
        }
        if (cause instanceof TimeoutException) {
            return new Failure("Error: Connection timed out\n", 1);
        }
        return new Failure("Error: " + ReasonStrings.error(ReasonStrings.MOSQ_ERR_CONN_LOST) + "\n",
                ReasonStrings.MOSQ_ERR_CONN_LOST);
    }

    /** strerror()'s text for a failed connect, from the JDK's or Netty's message. */
    private static String errnoText(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        if (message.contains("Connection refused")) {
            return "Connection refused";
        }
        if (message.contains("No route to host")) {
            return "No route to host";
        }
        if (message.contains("timed out")) {
            return "Connection timed out";
        }
        if (message.contains("Network is unreachable")) {
            return "Network is unreachable";
        }
        return message;
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
