package io.starling.mqtt.tools;

import io.netty.buffer.Unpooled;
import io.starling.mqtt.codec.ConnAck;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.tools.ClientArguments.MessageMode;
import io.starling.mqtt.tools.client.ClientOptions;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import io.starling.mqtt.tools.client.PublishFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code starling pub}, as mosquitto_pub 2.0.11 runs: connect; publish the message
 * ({@code --repeat} times, each after the previous one completed and {@code --repeat-delay} passed), or
 * with {@code -l} one message per line of standard input as it arrives (at most {@code -M} awaiting
 * their acknowledgement); then DISCONNECT.
 *
 * <p>As mosquitto_pub: the retain flag is dropped when the server says retain is not available; with
 * {@code -D publish topic-alias N}, messages after the first are sent with an empty topic; a publish the
 * server refuses (5.0 reason code 0x80 or above) is a warning, not a failure.
 */
final class PubSession implements MessageListener {
    private final ClientArguments arguments;
    private final ClientOptions options;
    private final byte[] message;
    private final InputStream in;
    private final PrintStream err;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean disconnectSent;
    private boolean retain;
    private boolean firstPublish = true;
    private int published;

    PubSession(ClientArguments arguments, ClientOptions options, byte[] message, InputStream in, PrintStream err) {
        this.arguments = arguments;
        this.options = options;
        this.message = message;
        this.in = in;
        this.err = err;
    }

    int run() throws InterruptedException {
        MqttClient.connect(options, this).whenComplete((client, error) -> {
            if (error != null) {
                ClientSetup.Failure f = ClientSetup.connectFailure(error, arguments.version, true);
                errorText(f.getMessage());
                exit.complete(f.status);
                return;
            }
            client.closeFuture().thenRun(() -> exit.complete(disconnectSent ? 0 : lost()));
            connected(client);
        });
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private int lost() {
        errorText("Error: " + ReasonStrings.error(ReasonStrings.MOSQ_ERR_CONN_LOST) + "\n");
        return ReasonStrings.MOSQ_ERR_CONN_LOST;
    }

    private void connected(MqttClient client) {
        ConnAck ack = client.connAck();
        retain = arguments.retain && ack.properties().number(PropertyId.RETAIN_AVAILABLE, 1) != 0;
        long maximumQos = ack.properties().number(PropertyId.MAXIMUM_QOS, 2);
        if (arguments.qos > maximumQos && arguments.messageMode != MessageMode.STDIN_LINE) {
            errorText("Error: Message QoS not supported on broker, try a lower QoS.\n");
            disconnect(client);
            return;
        }
        if (arguments.messageMode == MessageMode.STDIN_LINE) {
            Thread reader = new Thread(() -> readLines(client), "starling-pub-stdin");
            reader.setDaemon(true);
            reader.start();
        } else {
            publishNext(client);
        }
    }

    /** The -m/-f/-s/-n message, then the next repetition once it completed. */
    private void publishNext(MqttClient client) {
        publish(client, message).whenComplete((ok, error) -> {
            published++;
            if (published < arguments.repeatCount) {
                long delay = arguments.repeatDelay.toNanos();
                if (delay > 0) {
                    client.eventLoop().schedule(() -> publishNext(client), delay, TimeUnit.NANOSECONDS);
                } else {
                    client.eventLoop().execute(() -> publishNext(client));
                }
            } else {
                disconnect(client);
            }
        });
    }

    /** -l: each line of standard input (without its newline) is a message; the last one needs no newline. */
    private void readLines(MqttClient client) {
        CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        boolean partial = false;
        try {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        last = publishLine(client, line.toByteArray());
                        line.reset();
                        partial = false;
                    } else {
                        line.write(buffer[i]);
                        partial = true;
                    }
                }
            }
            if (partial) {
                last = publishLine(client, line.toByteArray());
            }
        } catch (IOException e) {
            errorText("Error: " + e.getMessage() + "\n");
        }
        last.whenComplete((ok, error) -> client.eventLoop().execute(() -> disconnect(client)));
    }

    /** Publishes one line, waiting while -M publishes await their acknowledgement. */
    private CompletableFuture<Void> publishLine(MqttClient client, byte[] payload) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        client.eventLoop().execute(() -> publish(client, payload).whenComplete((ok, error) -> sent.complete(null)));
        return sent;
    }

    private CompletableFuture<Void> publish(MqttClient client, byte[] payload) {
        String topic = arguments.topic;
        if (arguments.version.isV5() && arguments.properties.hasTopicAlias() && !firstPublish) {
            topic = "";
        }
        firstPublish = false;
        return client.publish(topic, payload.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(payload),
                        QoS.of(arguments.qos), retain, arguments.publishProperties())
                .whenComplete((ok, error) -> {
                    Throwable cause = error == null ? null : ClientSetup.unwrap(error);
                    if (cause instanceof PublishFailedException failed) {
                        errorText("Warning: Publish " + failed.packetId() + " failed: "
                                + ReasonStrings.reason(failed.reasonCode()) + ".\n");
                        if (failed.reasonString() != null) {
                            errorText(failed.reasonString() + "\n");
                        }
                    }
                });
    }

    private void disconnect(MqttClient client) {
        if (!disconnectSent) {
            disconnectSent = true;
            client.disconnect(0, arguments.disconnectProperties());
        }
    }

    @Override
    public void onMessage(MqttClient client, Publish publish) {
        // a publisher subscribes to nothing
    }

    /** err_printf(): runtime errors, silenced by --quiet. */
    private void errorText(String text) {
        if (!arguments.quiet) {
            synchronized (err) {
                err.print(text);
                err.flush();
            }
        }
    }
}
