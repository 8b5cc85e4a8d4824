package io.starling.mqtt.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.tools.client.ClientOptions;
import io.starling.mqtt.tools.client.ConnectRefusedException;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One request to the broker's dynamic security API, as mosquitto_ctrl makes it: connect, subscribe to
 * the response topic, publish the command, wait up to ten seconds for the answer, print it. A refused
 * connection or subscription is reported and ends with status 0, as mosquitto_ctrl's does; a connection
 * that cannot be made at all with 14.
 */
final class CtrlSession {
    static final String TOPIC = "$CONTROL/dynamic-security/v1";
    static final String RESPONSE_TOPIC = TOPIC + "/response";
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final CtrlOptions o;
    private final PrintStream out;
    private final PrintStream err;
    private final CtrlPrompt prompt;

    CtrlSession(CtrlOptions o, PrintStream out, PrintStream err, CtrlPrompt prompt) {
        this.o = o;
        this.out = out;
        this.err = err;
        this.prompt = prompt;
    }

    int exchange(String command, ObjectNode request) throws IOException, InterruptedException {
        if (!o.usesTls()) {
            err.print(CtrlTexts.UNENCRYPTED);
        }
        if (o.badOptionsFile) {
            err.print("Unable to connect (Invalid function arguments provided.).\n");
            return 3;
        }
        if (o.username != null && o.password == null) {
            String typed = prompt.newPassword(o.username, err, false);
            if (typed == null) {
                err.print("Error getting password.\n");
                return 1;
            }
            o.password = typed;
        }
        if (o.effectivePort() == 0) {
            err.print("Error: No such file or directory\n"); // libmosquitto's answer to port 0
            return 14;
        }
        ClientOptions options;
        try {
            options = options();
        } catch (ClientTls.Unusable e) {
            err.print(e.getMessage());
            return 1;
        }
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        MessageListener listener = (client, publish) -> {
            if (publish.topic().equals(RESPONSE_TOPIC)) {
                answers.add(publish.payload().toString(StandardCharsets.UTF_8));
            }
        };
        MqttClient client;
        try {
            client = MqttClient.connect(options, listener).get(ANSWER_WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return connectFailed(ClientSetup.unwrap(e));
        }
        try {
            SubAck ack = client.subscribe(List.of(new Subscription(RESPONSE_TOPIC,
                    new SubscriptionOptions(QoS.AT_LEAST_ONCE, false, false, 0))), Properties.EMPTY)
                    .get(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS);
            int code = ack.reasonCodes().get(0);
            if (code >= ReasonCode.UNSPECIFIED_ERROR) {
                err.print("Subscribe error: " + ReasonStrings.reason(code == 0x80 && !o.version.isV5()
                        ? ReasonCode.NOT_AUTHORIZED : code) + "\n");
                return 0;
            }
            byte[] payload = MAPPER.writeValueAsBytes(MAPPER.createObjectNode().set("commands",
                    MAPPER.createArrayNode().add(request)));
            client.publish(TOPIC, Unpooled.wrappedBuffer(payload), QoS.of(o.qos), false, Properties.EMPTY);
            String answer = answers.poll(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (answer != null) {
                print(command, answer);
            }
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            return 0; // the connection went, or no answer: silent, as mosquitto_ctrl
        } finally {
            client.close();
        }
    }

    private void print(String command, String answer) {
        JsonNode parsed;
        try {
            parsed = MAPPER.readTree(answer);
        } catch (IOException e) {
            err.print("Error: Payload not JSON.\n");
            return;
        }
        JsonNode responses = parsed.path("responses");
        if (!responses.isArray() || responses.isEmpty()) {
            err.print("Error: Invalid response from server.\n");
            return;
        }
        new CtrlPrinter(out, err).print(command, responses.get(0));
    }

    private int connectFailed(Throwable cause) {
        if (cause instanceof ConnectRefusedException refused) {
            err.print(ReasonStrings.connectionError(refused.reasonCode(), o.version.isV5()));
            return 0;
        }
        if (cause instanceof UnknownHostException) {
            err.print("Error: Name or service not known\n");
            return 14;
        }
        if (cause instanceof ConnectException) {
            String message = String.valueOf(cause.getMessage());
            err.print("Error: " + (message.contains("refused") ? "Connection refused" : message) + "\n");
            return 14;
        }
        if (cause instanceof SSLException || cause instanceof TimeoutException) {
            return 0; // mosquitto_ctrl gives up silently after its ten seconds
        }
        err.print("Error: " + ReasonStrings.error(ReasonStrings.MOSQ_ERR_CONN_LOST) + "\n");
        return 0;
    }

    private ClientOptions options() throws ClientTls.Unusable, UnknownHostException {
        ClientOptions.Builder b = ClientOptions.builder()
                .host(o.host)
                .port(o.effectivePort())
                .clientId(o.clientId != null ? o.clientId : "starling-ctrl-" + ProcessHandle.current().pid())
                .version(o.version)
                .cleanStart(true)
                .keepAliveSeconds(60)
                .username(o.username)
                .password(o.password == null ? null : o.password.getBytes(StandardCharsets.UTF_8))
                .connectTimeout(ANSWER_WAIT)
                .verifyHostname(!o.insecure);
        if (o.usesTls()) {
            b.tls(ClientTls.context(o.cafile, o.capath, o.certfile, o.keyfile, o.tlsVersion, null));
        }
        if (o.bindAddress != null) {
            b.sourceAddress(InetAddress.getByName(o.bindAddress));
        }
        return b.build();
    }
}
