package io.starling.broker.cluster.retained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.testkit.Await;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.cluster.RaftMembers;
import io.starling.broker.cluster.RaftMembers.Member;
import io.starling.broker.cluster.raft.RaftUnavailableException;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.RetainedStore;
import io.starling.broker.core.store.memory.InMemoryRetainedStore;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.QoS;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakReports.class)
class ReplicatedRetainedStoreTest {
    private static final long SECONDS = RaftMembers.WAIT.toSeconds();
    private static final List<String> NAMES = List.of("a", "b", "c");
    private RaftMembers members;

    @AfterEach
    void close() {
        if (members != null) {
            members.close();
        }
    }

    private void threeMembers() throws Exception {
        members = new RaftMembers(NAMES, Duration.ofSeconds(30));
        for (String name : NAMES) {
            members.start(name);
        }
        members.awaitLeader();
    }

    /** A message as a publisher's connection hands it to the store: a pooled (leak-tracked) payload. */
    private static Message retained(String topic, String payload, Properties properties) {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return new Message(topic, QoS.AT_LEAST_ONCE, true, buffer, properties, "publisher-1", "alice", 1883,
                Message.NEVER_EXPIRES);
    }

    private static Message deletion(String topic) {
        return new Message(topic, QoS.AT_MOST_ONCE, true, Unpooled.EMPTY_BUFFER, Properties.EMPTY, "publisher-1",
                Message.NEVER_EXPIRES);
    }

    /** The payload of {@code topic} in {@code store}, or null. */
    private static String payload(RetainedStore store, String topic) {
        List<String> found = new ArrayList<>();
        store.match(topic, m -> {
            found.add(m.payload().toString(StandardCharsets.UTF_8));
            m.release();
            return true;
        });
        return found.isEmpty() ? null : found.get(0);
    }

    private void awaitEverywhere(String topic, String expected) throws InterruptedException {
        for (String name : NAMES) {
            RetainedStore store = members.get(name).retained();
            Await.until(RaftMembers.WAIT, "the expected retained value",
                    () -> java.util.Objects.equals(payload(store, topic), expected));
        }
    }

    @Test
    void aMessageRetainedOnOneNode_isInEveryNodesStore_withItsPropertiesAndPublisher() throws Exception {
        threeMembers();
        Properties properties = Properties.builder().text(PropertyId.CONTENT_TYPE, "text/plain")
                .user("site", "north").build();

        members.get("a").retained().write(retained("plant/boiler", "72C", properties)).get(SECONDS, TimeUnit.SECONDS);

        awaitEverywhere("plant/boiler", "72C");
        List<Message> seen = new ArrayList<>();
        members.get("c").retained().match("plant/#", m -> seen.add(m));
        try {
            assertThat(seen).hasSize(1);
            Message m = seen.get(0);
            assertThat(m.properties()).isEqualTo(properties);
            assertThat(m.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(m.retainFlag()).isTrue();
            assertThat(m.publisherId()).isEqualTo("publisher-1");
            assertThat(m.publisherUsername()).isEqualTo("alice");
            assertThat(m.publisherListener()).isEqualTo(1883);
            assertThat(m.expiryAtNanos()).isEqualTo(Message.NEVER_EXPIRES);
        } finally {
            seen.forEach(Message::release);
        }
    }

    @Test
    void concurrentSetsOfOneTopic_fromEveryNode_endInOneValueEverywhere() throws Exception {
        threeMembers();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            for (String name : NAMES) {
                writes.add(members.get(name).retained().write(retained("shared/level", name + i, Properties.EMPTY)));
            }
        }
        for (CompletableFuture<Void> write : writes) {
            write.get(SECONDS, TimeUnit.SECONDS);
        }
        // Every member has applied every write once its commit index reaches the leader's.
        Member leader = members.awaitLeader();
        long commit = leader.group().handle().commitIndex();
        String value = payload(leader.retained(), "shared/level");
        for (String name : NAMES) {
            Await.until(RaftMembers.WAIT, "the member at the commit index",
                    () -> members.get(name).group().handle().commitIndex() >= commit);
            Await.until(RaftMembers.WAIT, "the member's value of shared/level",
                    () -> java.util.Objects.equals(payload(members.get(name).retained(), "shared/level"), value));
        }

        assertThat(value).isNotNull();
        for (String name : NAMES) {
            assertThat(payload(members.get(name).retained(), "shared/level")).as(name).isEqualTo(value);
        }
        assertThat(members.get("b").retained().size()).isEqualTo(1);
    }

    @Test
    void anEmptyRetainedMessage_deletesTheTopicOnEveryNode() throws Exception {
        threeMembers();
        members.get("a").retained().write(retained("door/1", "open", Properties.EMPTY)).get(SECONDS, TimeUnit.SECONDS);
        awaitEverywhere("door/1", "open");

        members.get("b").retained().write(deletion("door/1")).get(SECONDS, TimeUnit.SECONDS);

        awaitEverywhere("door/1", null);
        for (String name : NAMES) {
            assertThat(members.get(name).retained().size()).isZero();
        }
    }

    @Test
    void sysTopics_stayInTheirNodesStore() throws Exception {
        threeMembers();
        members.get("a").retained().put(retained("$SYS/broker/uptime", "10 seconds", Properties.EMPTY));
        members.get("a").retained().write(retained("after/sys", "x", Properties.EMPTY)).get(SECONDS, TimeUnit.SECONDS);
        awaitEverywhere("after/sys", "x");

        assertThat(payload(members.get("a").retained(), "$SYS/broker/uptime")).isEqualTo("10 seconds");
        assertThat(payload(members.get("b").retained(), "$SYS/broker/uptime")).isNull();
    }

    @Test
    void withoutAMajority_aWriteFails_isCounted_andChangesNoStore() throws Exception {
        threeMembers();
        members.stop("b");
        members.stop("c");
        Member a = members.get("a");
        Await.until(RaftMembers.WAIT, "a without a leader", () -> !a.group().hasLeader());

        CompletableFuture<Void> write = a.retained().write(retained("lost/one", "x", Properties.EMPTY));

        assertThatThrownBy(() -> write.get(SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RaftUnavailableException.class);
        assertThat(a.retained().lostWrites()).isEqualTo(1);
        assertThat(a.retained().size()).isZero();
    }

    @Test
    void aMemberStartedLater_getsTheRetainedMessagesFromASnapshot_andForgetsStaleOnes() throws Exception {
        members = new RaftMembers(NAMES, Duration.ofSeconds(30));
        members.start("a");
        members.start("b");
        Member leader = members.awaitLeader();
        for (int i = 0; i < 10; i++) {
            leader.retained().write(retained("room/" + i, "t" + i, Properties.EMPTY)).get(SECONDS, TimeUnit.SECONDS);
        }
        leader.retained().write(deletion("room/9")).get(SECONDS, TimeUnit.SECONDS);
        for (String name : List.of("a", "b")) {
            Member m = members.get(name);
            Await.until(RaftMembers.WAIT, "9 retained messages on the member", () -> m.retained().size() == 9);
            m.group().handle().snapshot();
        }
        InMemoryRetainedStore stale = new InMemoryRetainedStore();
        stale.put(retained("room/9", "stale", Properties.EMPTY));
        stale.put(retained("$SYS/broker/version", "mine", Properties.EMPTY));

        Member late = members.start("c", stale);

        Await.until(RaftMembers.WAIT, "10 retained messages on the late member",
                () -> late.retained().size() == 10); // 9 rooms and its own $SYS value
        for (int i = 0; i < 9; i++) {
            assertThat(payload(late.retained(), "room/" + i)).isEqualTo("t" + i);
        }
        assertThat(payload(late.retained(), "room/9")).isNull();
        assertThat(payload(late.retained(), "$SYS/broker/version")).isEqualTo("mine");
    }
}
