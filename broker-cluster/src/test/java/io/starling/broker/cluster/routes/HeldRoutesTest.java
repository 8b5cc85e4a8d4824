package io.starling.broker.cluster.routes;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.cluster.NodeId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Announcements of nodes not yet in the view: held compacted, bounded per node and in total, drops counted. */
class HeldRoutesTest {
    private static final NodeId A = new NodeId("a");
    private static final NodeId B = new NodeId("b");
    private final HeldRoutes held = new HeldRoutes(3, 4);

    private static RouteAnnouncement change(String... filtersAndCounts) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < filtersAndCounts.length; i += 2) {
            m.put(filtersAndCounts[i], Integer.parseInt(filtersAndCounts[i + 1]));
        }
        return new RouteAnnouncement(false, m);
    }

    private static RouteAnnouncement full(String... filtersAndCounts) {
        return new RouteAnnouncement(true, change(filtersAndCounts).counts());
    }

    @Test
    void changesOfOneNode_areHeldAsTheRowsTheyAddUpTo() {
        held.hold(A, change("x", "1"));
        held.hold(A, change("x", "0", "y", "2"));
        held.hold(A, change("x", "3"));

        HeldRoutes.Held h = held.take(A);
        assertThat(h.full()).isFalse();
        assertThat(h.counts()).isEqualTo(Map.of("x", 3, "y", 2));
        assertThat(held.size()).isZero();
    }

    @Test
    void aFullAnnouncement_replacesWhatWasHeldOfTheNode() {
        held.hold(A, change("x", "1", "y", "1"));
        held.hold(A, full("z", "1"));
        held.hold(A, change("w", "1"));

        HeldRoutes.Held h = held.take(A);
        assertThat(h.full()).isTrue();
        assertThat(h.counts()).isEqualTo(Map.of("z", 1, "w", 1));
    }

    @Test
    void pastThePerNodeBound_theNodesRowsAreDroppedAndCounted_andItOwesAFullAnnouncement() {
        held.hold(A, change("x", "1", "y", "1"));

        assertThat(held.hold(A, change("z", "1", "w", "1"))).isFalse();

        assertThat(held.take(A)).isNull();
        assertThat(held.dropped()).isEqualTo(4);
        assertThat(held.size()).isZero();
        assertThat(held.owesFull(A)).isTrue();
        assertThat(held.hold(A, change("v", "1"))).as("a change alone cannot repair").isFalse();
        assertThat(held.dropped()).isEqualTo(5);
        assertThat(held.hold(A, full("v", "1"))).isTrue();
        assertThat(held.owesFull(A)).isFalse();
    }

    @Test
    void pastTheTotalBound_theAnnouncingNodesRowsAreDropped_theOthersStay() {
        held.hold(A, change("x", "1", "y", "1", "z", "1"));

        assertThat(held.hold(B, change("p", "1", "q", "1"))).isFalse();

        assertThat(held.take(A).counts()).hasSize(3);
        assertThat(held.owesFull(B)).isTrue();
        assertThat(held.owesFull(A)).isFalse();
        assertThat(held.dropped()).isEqualTo(2);
    }

    @Test
    void clear_dropsWhatNoViewTook_butNotWhatIsOwed() {
        held.hold(A, change("x", "1"));
        held.hold(B, change("p", "1", "q", "1", "r", "1", "s", "1"));

        held.clear();

        assertThat(held.size()).isZero();
        assertThat(held.take(A)).isNull();
        assertThat(held.owesFull(B)).isTrue();
    }
}
