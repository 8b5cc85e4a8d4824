package io.starling.mqtt.tools;

import io.netty.buffer.Unpooled;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.ReasonCode;
import io.starling.mqtt.codec.SubAck;
import io.starling.mqtt.codec.Subscription;
import io.starling.mqtt.codec.SubscriptionOptions;
import io.starling.mqtt.tools.client.ClientOptions;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code starling sub}, as mosquitto_sub 2.0.11 runs: connect; subscribe to every {@code -t} in
 * one SUBSCRIBE, then send one UNSUBSCRIBE per {@code -U}; print messages until {@code -C} were printed,
 * {@code --retained-only} sees a fresh one, {@code -E} sees the SUBACK, every subscription is refused, or
 * {@code -W} seconds pass (exit status 27, "Timed out"); then DISCONNECT.
 *
 * <p>Messages are filtered in mosquitto's order: retained-only, then {@code -R}, then {@code -T}; then
 * {@code --remove-retained} clears a retained one (and the run waits for that before it ends).
 *
 * <p>Threading: the listener methods run on the connection's event loop, as does everything they
 * change; {@link #run()} waits on the caller's thread.
 */
final class SubSession implements MessageListener {
    private static final int EXIT_NOT_CONNECTED_AT_TIMEOUT = 255;

    private final ClientArguments arguments;
    private final ClientOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final MessagePrinter printer;
    private final Runnable subscribedHook;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile MqttClient client;
    private volatile boolean timedOut;
    private boolean processMessages = true;
    private boolean disconnecting;
    private int printed;
    private int removalsPending;

    SubSession(ClientArguments arguments, ClientOptions options, PrintStream out, PrintStream err,
               MessagePrinter printer, Runnable subscribedHook) {
        this.subscribedHook = subscribedHook;
        this.arguments = arguments;
        this.options = options;
        this.out = out;
        this.err = err;
        this.printer = printer;
    }

    int run() throws InterruptedException {
        MqttClient.connect(options, this).whenComplete((connected, error) -> {
            if (error != null) {
                ClientSetup.Failure f = ClientSetup.connectFailure(error, arguments.version, false);
                errorText(f.getMessage());
                exit.complete(f.status);
                return;
            }
            client = connected;
            connected.closeFuture().thenRun(this::closed);
            subscribe(connected);
        });
        if (arguments.timeout > 0) {
            CompletableFuture.delayedExecutor(arguments.timeout, TimeUnit.SECONDS).execute(this::timeout);
        }
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void subscribe(MqttClient c) {
        boolean v5 = arguments.version.isV5();
        SubscriptionOptions subscriptionOptions = new SubscriptionOptions(QoS.of(arguments.qos), false,
                v5 && arguments.retainAsPublished, v5 && arguments.noRetain ? 2 : 0);
        List<Subscription> subscriptions = new ArrayList<>();
        for (String topic : arguments.topics) {
            subscriptions.add(new Subscription(topic, subscriptionOptions));
        }
        c.subscribe(subscriptions, arguments.subscribeProperties()).thenAccept(this::subscribed);
        for (String topic : arguments.unsubscribeTopics) {
            c.unsubscribe(List.of(topic), arguments.unsubscribeProperties());
        }
    }

    private void subscribed(SubAck ack) {
        if (arguments.debug && !arguments.quiet) {
            StringBuilder line = new StringBuilder("Subscribed (mid: " + ack.packetId() + "): ");
            for (int i = 0; i < ack.reasonCodes().size(); i++) {
                line.append(i == 0 ? "" : ", ").append(ack.reasonCodes().get(i));
            }
            synchronized (out) {
                out.print(line + "\n");
                out.flush();
            }
        }
        if (ack.reasonCodes().stream().allMatch(code -> code >= 0x80)) {
            disconnect(ReasonCode.NORMAL_DISCONNECTION);
            errorText("All subscription requests were denied.\n");
        }
        if (arguments.exitAfterSubscribe) {
            disconnect(ReasonCode.NORMAL_DISCONNECTION);
        }
        subscribedHook.run();
    }

    @Override
    public void onMessage(MqttClient c, Publish message) {
        if (!processMessages) {
            return;
        }
        if (arguments.retainedOnly && !message.retain()) {
            processMessages = false;
            if (removalsPending == 0) {
                disconnect(ReasonCode.NORMAL_DISCONNECTION);
            }
            return;
        }
        if (message.retain() && arguments.noRetain) {
            return;
        }
        for (String filter : arguments.filterOuts) {
            if (Topics.matches(filter, message.topic())) {
                return;
            }
        }
        if (arguments.removeRetained && message.retain()) {
            removalsPending++;
            c.publish(message.topic(), Unpooled.EMPTY_BUFFER, QoS.AT_LEAST_ONCE, true, Properties.EMPTY)
                    .whenComplete((ok, error) -> {
                        removalsPending--;
                        if (!processMessages && removalsPending == 0) {
                            disconnect(ReasonCode.NORMAL_DISCONNECTION);
                        }
                    });
        }
        printer.print(message);
        if (arguments.msgCount > 0 && ++printed == arguments.msgCount) {
            processMessages = false;
            if (removalsPending == 0) {
                disconnect(ReasonCode.NORMAL_DISCONNECTION);
            }
        }
    }

    /** -W: mosquitto's alarm. Before the CONNACK it exits at once with status 255 (exit(-1)). */
    private void timeout() {
        MqttClient c = client;
        if (c == null) {
            exit.complete(EXIT_NOT_CONNECTED_AT_TIMEOUT);
            return;
        }
        timedOut = true;
        c.eventLoop().execute(() -> {
            processMessages = false;
            disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE);
        });
    }

    private void disconnect(int reasonCode) {
        if (disconnecting) {
            return;
        }
        disconnecting = true;
        client.disconnect(arguments.version.isV5() ? reasonCode : 0, arguments.disconnectProperties());
    }

    private void closed() {
        if (timedOut) {
            errorText("Timed out\n");
            exit.complete(ReasonStrings.MOSQ_ERR_TIMEOUT);
        } else if (disconnecting) {
            exit.complete(0);
        } else {
            errorText("Error: " + ReasonStrings.error(ReasonStrings.MOSQ_ERR_CONN_LOST) + "\n");
            exit.complete(ReasonStrings.MOSQ_ERR_CONN_LOST);
        }
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
