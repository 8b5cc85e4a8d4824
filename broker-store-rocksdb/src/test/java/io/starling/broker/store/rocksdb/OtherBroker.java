package io.starling.broker.store.rocksdb;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.routing.Delivery;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.time.Clock;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A second broker process for {@code RocksSessionStoreTest}. {@code OtherBroker DIR hold} opens the
 * store, prints "open" and holds it until stdin closes. {@code OtherBroker DIR crash} writes a session
 * with a queued message, prints "durable" once it is synced, then keeps writing unsynced changes
 * until the test kills it with SIGKILL.
 */
public final class OtherBroker {
    private OtherBroker() {
    }

    public static void main(String[] args) throws Exception {
        RocksSessionStore store = RocksSessionStore.open(Path.of(args[0]), Clock.SYSTEM);
        store.load();
        if (args[1].equals("hold")) {
            System.out.println("open");
            System.out.flush();
            while (System.in.read() != -1) {
                // hold the store until the test lets go
            }
            store.close();
            return;
        }
        store.saveSession(new StoredSession("survivor", "u", 0xFFFF_FFFFL, 0));
        Message m = new Message("t", QoS.AT_LEAST_ONCE, false,
                Unpooled.copiedBuffer("kept", StandardCharsets.UTF_8), Properties.EMPTY, "p", Message.NEVER_EXPIRES);
        store.saveOutgoing("survivor", 1, new Delivery(m, QoS.AT_LEAST_ONCE, false, List.of()));
        CountDownLatch durable = new CountDownLatch(1);
        store.afterDurable(Runnable::run, durable::countDown);
        durable.await();
        System.out.println("durable");
        System.out.flush();
        for (int i = 0; ; i++) {
            store.saveIncomingQos2("survivor", 1 + i % 65535, m);
        }
    }
}
