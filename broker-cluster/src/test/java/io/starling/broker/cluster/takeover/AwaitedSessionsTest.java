package io.starling.broker.cluster.takeover;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.broker.cluster.LeakReports;
import io.starling.broker.core.routing.Message;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.core.store.StoredState;
import io.starling.broker.testkit.Await;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.QoS;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A moved session is taken only by the CONNECT of the claim it was handed over to. */
@ExtendWith(LeakReports.class)
class AwaitedSessionsTest {
    private final AwaitedSessions awaited = new AwaitedSessions(Duration.ofMinutes(1));

    private static StoredState.RestoredSession session(ByteBuf payload) {
        Message held = new Message("t", QoS.EXACTLY_ONCE, false, payload, Properties.EMPTY, "c", Message.NEVER_EXPIRES);
        return new StoredState.RestoredSession(new StoredSession("c", null, 60, 0, 0, 0), Map.of(), List.of(),
                Map.of(1, held), null, 0);
    }

    @Test
    void sessionForTheAwaitedEpoch_isTakenByTheConnect() throws Exception {
        CompletableFuture<AwaitedSessions.Outcome> connect = awaited.await("c", 7, "n1");
        StoredState.RestoredSession s = session(Unpooled.copiedBuffer(new byte[] {1}));

        assertThat(awaited.arrived("c", 7, s, "n1")).isTrue();

        assertThat(connect.get(1, TimeUnit.SECONDS)).isEqualTo(new AwaitedSessions.Outcome(s, true));
        assertThat(awaited.size()).isZero();
        s.release();
    }

    @Test
    void lateSessionOfAnOlderEpoch_isDroppedAndReleased_whileTheConnectWaitsOn() {
        CompletableFuture<AwaitedSessions.Outcome> connect = awaited.await("c", 9, "n1");
        ByteBuf payload = Unpooled.copiedBuffer(new byte[] {1});

        assertThat(awaited.arrived("c", 8, session(payload), "n1")).isFalse();

        assertThat(payload.refCnt()).isZero();
        assertThat(connect).isNotDone();
        assertThat(awaited.arrived("c", 9, null, "n1")).isTrue();
        assertThat(connect.join()).isEqualTo(AwaitedSessions.Outcome.NONE);
    }

    @Test
    void sessionThatComesBeforeItsConnectWaits_isTakenByThatConnect() throws Exception {
        StoredState.RestoredSession s = session(Unpooled.copiedBuffer(new byte[] {1}));

        assertThat(awaited.arrived("c", 3, s, "n1")).isTrue();
        CompletableFuture<AwaitedSessions.Outcome> connect = awaited.await("c", 3, "n1");

        assertThat(connect.get(1, TimeUnit.SECONDS)).isEqualTo(new AwaitedSessions.Outcome(s, true));
        assertThat(awaited.size()).isZero();
        s.release();
    }

    @Test
    void earlySessionOfAnOlderEpoch_isDroppedWhenANewerConnectWaits() {
        ByteBuf payload = Unpooled.copiedBuffer(new byte[] {1});
        awaited.arrived("c", 3, session(payload), "n1");

        CompletableFuture<AwaitedSessions.Outcome> connect = awaited.await("c", 4, "n1");

        assertThat(payload.refCnt()).isZero();
        assertThat(connect).isNotDone();
        awaited.arrived("c", 4, null, "n1");
        assertThat(connect.join()).isEqualTo(AwaitedSessions.Outcome.NONE);
    }

    @Test
    void sessionNobodyWaitsFor_isReleasedAfterTheWait() throws Exception {
        AwaitedSessions quick = new AwaitedSessions(Duration.ofMillis(50));
        ByteBuf payload = Unpooled.copiedBuffer(new byte[] {1});

        assertThat(quick.arrived("c", 3, session(payload), "n1")).isTrue();

        awaitReleased(payload);
        assertThat(quick.size()).isZero();
    }

    @Test
    void noAnswerWithinTheWait_startsAFreshSession_andALaterAnswerIsDropped() throws Exception {
        AwaitedSessions quick = new AwaitedSessions(Duration.ofMillis(50));
        CompletableFuture<AwaitedSessions.Outcome> connect = quick.await("c", 4, "n1");

        assertThat(connect.get(30, TimeUnit.SECONDS)).isEqualTo(AwaitedSessions.Outcome.SILENT);

        ByteBuf payload = Unpooled.copiedBuffer(new byte[] {1});
        quick.arrived("c", 4, session(payload), "n1");
        awaitReleased(payload);
    }

    @Test
    void newerConnectOfTheIdOnThisNode_releasesTheOlderOne() {
        CompletableFuture<AwaitedSessions.Outcome> older = awaited.await("c", 4, "n1");

        CompletableFuture<AwaitedSessions.Outcome> newer = awaited.await("c", 5, "n1");

        assertThat(older.join()).isEqualTo(AwaitedSessions.Outcome.NONE);
        assertThat(newer).isNotDone();
        awaited.arrived("c", 5, null, "n1");
    }

    private static void awaitReleased(ByteBuf payload) throws InterruptedException {
        Await.until(Duration.ofSeconds(30), "the dropped session's messages released", () -> payload.refCnt() == 0);
    }

    @Test
    void oldNodeThatCannotBeAsked_leavesTheConnectUnheard() {
        CompletableFuture<AwaitedSessions.Outcome> connect = awaited.await("c", 6, "n1");

        awaited.unreachable("c", 6);

        assertThat(connect.join()).isEqualTo(AwaitedSessions.Outcome.SILENT);
        assertThat(awaited.size()).isZero();
    }
}
