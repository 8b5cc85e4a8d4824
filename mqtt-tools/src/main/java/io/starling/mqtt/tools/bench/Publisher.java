package io.starling.mqtt.tools.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import io.starling.mqtt.tools.client.Qos0Template;
import java.util.concurrent.TimeUnit;

/**
 * One publishing connection of {@code bench pub}, driven from its client's event loop so that the client
 * is called without a hand-over and a batch of writes leaves with one flush.
 *
 * <p>QoS 0 goes through {@link MqttClient#publishQos0}: up to {@link #BATCH} messages per turn, then the
 * loop is given back (to read, and to serve the other connections on it) and the next batch queued.
 * When the socket's buffer is full the publisher waits for {@link #onWritable}, so the server sets the
 * pace. QoS 1 and 2 keep {@code --inflight} messages unacknowledged: each acknowledgement sends the next.
 * With a rate, each message has a due time (start + n × interval) and the loop sleeps until the next.
 * While held ({@link #hold}) nothing is sent; on release the due times start again from that moment, so a
 * held publisher does not burst to catch up.
 *
 * <p>Threading: all state is the event loop's, except {@link #finished} and the counts the summary reads
 * after the run (published through {@link #finish}'s volatile write).
 */
final class Publisher implements MessageListener, Qos0Template.PayloadWriter {
    static final int BATCH = 64;

    private final int index;
    private final int run;
    private final PublishPlan plan;
    private final Meter meter;
    private MqttClient client;
    private EventLoop loop;
    private String topic;
    private Qos0Template template;
    private long nanosPerMessage;
    private long startNanos;
    private int sequence;
    private long sent;
    private long acked;
    private long failed;
    private int inflight;
    private boolean waitingWritable;
    private boolean runQueued;
    private boolean stopping;
    private boolean held;
    private volatile boolean finished;
    private final Runnable runTask = () -> {
        runQueued = false;
        publish();
    };

    Publisher(int index, int run, PublishPlan plan, Meter meter) {
        this.index = index;
        this.run = run;
        this.plan = plan;
        this.meter = meter;
    }

    /** Starts publishing at {@code startNanos}; {@code nanosPerMessage} 0 means no pause. */
    void start(MqttClient connected, long startNanos, long nanosPerMessage) {
        this.client = connected;
        this.loop = connected.eventLoop();
        this.topic = plan.topic().expand(index, connected.clientId());
        if (plan.qos() == QoS.AT_MOST_ONCE) {
            template = new Qos0Template(topic, plan.payloadSize(), plan.retain(), Properties.EMPTY, connected.version());
        }
        loop.execute(() -> {
            this.startNanos = startNanos;
            this.nanosPerMessage = nanosPerMessage;
            publish();
        });
    }

    /** Pauses ({@code true}) or resumes sending; called from any thread. */
    void hold(boolean on) {
        if (loop == null) {
            return;
        }
        loop.execute(() -> {
            if (held == on) {
                return;
            }
            held = on;
            if (!on) {
                startNanos = System.nanoTime() - sent * nanosPerMessage; // the next message is due now
                if (!runQueued && !waitingWritable) {
                    publish();
                }
            }
        });
    }

    /** Stops sending; QoS 1 and 2 messages in flight are still counted when acknowledged. */
    void stop() {
        if (loop != null) {
            loop.execute(() -> {
                stopping = true;
                finishWhenDone();
            });
        }
    }

    boolean finished() {
        return finished;
    }

    long sent() {
        return sent;
    }

    long acked() {
        return acked;
    }

    long failed() {
        return failed;
    }

    private void publish() {
        if (stopping || finished) {
            finishWhenDone();
            return;
        }
        if (held) {
            return; // hold(false) starts again
        }
        if (!client.isWritable()) {
            waitingWritable = true;
            return;
        }
        long allowed = BATCH;
        if (plan.limit() > 0) {
            allowed = Math.min(allowed, plan.limit() - sent);
        }
        if (nanosPerMessage > 0) {
            long due = (System.nanoTime() - startNanos) / nanosPerMessage + 1 - sent;
            if (due <= 0) {
                long next = startNanos + sent * nanosPerMessage;
                loop.schedule(runTask, Math.max(1, next - System.nanoTime()), TimeUnit.NANOSECONDS);
                runQueued = true;
                return;
            }
            allowed = Math.min(allowed, due);
        }
        if (plan.qos() == QoS.AT_MOST_ONCE) {
            int written = client.publishQos0(template, (int) allowed, this);
            sent += written;
            meter.sent.add(written);
            // The flush may have emptied the buffer already (onWritable came and went): wait only if still full.
            if (written < allowed && !client.isWritable()) {
                waitingWritable = true;
                return;
            }
        } else {
            allowed = Math.min(allowed, plan.inflight() - inflight);
            for (int i = 0; i < allowed; i++) {
                ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(plan.payloadSize());
                write(payload, plan.payloadSize());
                inflight++;
                sent++;
                client.publish(topic, payload, plan.qos(), plan.retain(), Properties.EMPTY)
                        .whenComplete((ok, error) -> acknowledged(error));
            }
            meter.sent.add(allowed);
            if (inflight >= plan.inflight()) {
                return; // the next acknowledgement goes on
            }
        }
        if (plan.limit() > 0 && sent >= plan.limit()) {
            finishWhenDone();
        } else if (!runQueued) {
            runQueued = true;
            loop.execute(runTask);
        }
    }

    private void acknowledged(Throwable error) {
        inflight--;
        if (error == null) {
            acked++;
        } else {
            // Refused, or the connection is gone (then the failure may come inside publish() itself):
            // this publisher stops rather than fail every next message in turn.
            failed++;
            meter.errors.increment();
            stopping = true;
        }
        if (stopping || plan.limit() > 0 && sent >= plan.limit()) {
            finishWhenDone();
        } else if (!runQueued) {
            publish();
        }
    }

    private void finishWhenDone() {
        if (inflight == 0) {
            finished = true;
        }
    }

    /** Fills a payload: the stamp, then zeros. */
    @Override
    public void write(ByteBuf out, int length) {
        if (length >= PayloadStamp.SIZE) {
            PayloadStamp.write(out, EpochClock.SYSTEM.nanos(), run, index, sequence++);
            out.writeZero(length - PayloadStamp.SIZE);
        } else {
            out.writeZero(length);
        }
    }

    @Override
    public void onWritable(MqttClient c) {
        if (waitingWritable) {
            waitingWritable = false;
            if (!runQueued) {
                publish();
            }
        }
    }

    @Override
    public void onMessage(MqttClient c, Publish publish) {
        // publishers subscribe to nothing
    }

    @Override
    public void onClosed(MqttClient c, Throwable cause) {
        finished = true;
    }
}
