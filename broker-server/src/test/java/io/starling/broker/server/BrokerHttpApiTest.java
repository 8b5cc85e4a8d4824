package io.starling.broker.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.core.BrokerCore;
import io.starling.broker.core.BrokerSettings;
import io.starling.broker.core.auth.Authenticator;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.broker.core.time.Clock;
import io.starling.broker.transport.HttpApi;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The HTTP API's answers that walk a whole store do so on a thread of their own. */
class BrokerHttpApiTest {

    @Test
    void retainedTopics_walkTheStoreOffTheCallingThread_andPage() throws Exception {
        AtomicReference<String> walkedOn = new AtomicReference<>();
        InMemoryRetainedStore inner = new InMemoryRetainedStore();
        RetainedStore store = new RetainedStore() {
            @Override
            public void put(Message message) {
                inner.put(message);
            }

            @Override
            public void match(String filter, Predicate<Message> visitor) {
                inner.match(filter, visitor);
            }

            @Override
            public void topics(TopicVisitor visitor) {
                walkedOn.set(Thread.currentThread().getName());
                inner.topics(visitor);
            }

            @Override
            public int size() {
                return inner.size();
            }

            @Override
            public long bytes() {
                return inner.bytes();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        BrokerCore core = new BrokerCore(BrokerSettings.defaults(), Clock.SYSTEM, store, Authenticator.anonymous(true));
        try {
            for (String topic : List.of("a", "b", "c", "$SYS/x")) {
                store.put(new Message(topic, QoS.AT_MOST_ONCE, true, Unpooled.copiedBuffer(new byte[] {1}),
                        Properties.EMPTY, "", Message.NEVER_EXPIRES));
            }
            BrokerHttpApi api = new BrokerHttpApi(core, null, null, List::of);

            HttpApi.RetainedPage page = api.retainedTopics(1, 1, topic -> true).get(5, TimeUnit.SECONDS);

            assertThat(walkedOn.get()).isNotEqualTo(Thread.currentThread().getName()).isEqualTo("starling-http-listings");
            assertThat(page.topics()).containsExactly(new HttpApi.RetainedTopic("b", 1));
            assertThat(page.more()).isTrue();
        } finally {
            core.close();
        }
    }
}
