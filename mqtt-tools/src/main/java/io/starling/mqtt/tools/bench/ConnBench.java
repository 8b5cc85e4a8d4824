package io.starling.mqtt.tools.bench;

import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.tools.client.MessageListener;
import io.starling.mqtt.tools.client.MqttClient;
import java.io.PrintStream;

/**
 * {@code bench conn}: opens the connections and holds them, idle but for keep alive pings, until the
 * duration is over or Ctrl-C; what the server pays for idle connections (memory) is measured outside.
 */
public final class ConnBench extends BenchRun {
    private static final MessageListener IDLE = new MessageListener() {
        @Override
        public void onMessage(MqttClient client, Publish publish) {
            // nothing is subscribed
        }
    };

    public ConnBench(ConnectionPlan plan, PrintStream out, PrintStream err) {
        super(plan, new Meter(plan.clients(), false, false), out, err);
    }

    public int run() {
        return execute();
    }

    @Override
    MessageListener listener(int index) {
        return IDLE;
    }

    @Override
    int measure() throws InterruptedException {
        waitUntil(() -> false, System.nanoTime());
        return 0;
    }

    @Override
    Report report() {
        return new Report("conn");
    }
}
