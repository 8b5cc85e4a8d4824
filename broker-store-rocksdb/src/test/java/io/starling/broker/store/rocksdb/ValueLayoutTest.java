package io.starling.broker.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.core.routing.SubscriberOptions;
import io.starling.broker.core.store.LinkSequence;
import io.starling.broker.core.store.StoredSession;
import io.starling.broker.store.rocksdb.ValueLayout.OutgoingEntry;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.codec.SubscriptionOptions;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden bytes of every kind of value (format version 1), and that each reads back as written. */
class ValueLayoutTest {

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @Test
    void version_isFourBytes() {
        assertThat(hex(ValueLayout.version(1))).isEqualTo("00000001");
        assertThat(ValueLayout.readVersion(bytes("00000001"))).isEqualTo(1);
    }

    @Test
    void session_withUsername() {
        StoredSession s = new StoredSession("c1", "al", 0xFFFF_FFFFL, 0x0102);
        String golden = "01" + "0002" + "616c" + "00000000ffffffff" + "0000000000000102";

        assertThat(hex(ValueLayout.session(s))).isEqualTo(golden);
        assertThat(ValueLayout.readSession("c1", bytes(golden))).isEqualTo(s);
    }

    @Test
    void session_withoutUsername() {
        StoredSession s = new StoredSession("c1", null, 60, 0);
        String golden = "00" + "000000000000003c" + "0000000000000000";

        assertThat(hex(ValueLayout.session(s))).isEqualTo(golden);
        assertThat(ValueLayout.readSession("c1", bytes(golden))).isEqualTo(s);
    }

    @Test
    void session_withTheListenerPort_endsWithIt_andOneWithoutReadsAsPortUnknown() {
        StoredSession s = new StoredSession("c1", null, 60, 0, 8883);
        String golden = "00" + "000000000000003c" + "0000000000000000" + "22b3";

        assertThat(hex(ValueLayout.session(s))).isEqualTo(golden);
        assertThat(ValueLayout.readSession("c1", bytes(golden))).isEqualTo(s);
        assertThat(ValueLayout.readSession("c1", bytes("00" + "000000000000003c" + "0000000000000000")).listenerPort())
                .isZero();
    }

    @Test
    void session_withTheLastPacketId_endsWithIt_afterThePort() {
        StoredSession s = new StoredSession("c1", null, 60, 0, 0, 0xFFFF);
        String golden = "00" + "000000000000003c" + "0000000000000000" + "0000" + "ffff";

        assertThat(hex(ValueLayout.session(s))).isEqualTo(golden);
        assertThat(ValueLayout.readSession("c1", bytes(golden))).isEqualTo(s);
    }

    @Test
    void outgoing_queuedWithItsPacketId_endsWithIt_andOneWithoutReadsAsNone() {
        OutgoingEntry queued = new OutgoingEntry(5, QoS.AT_LEAST_ONCE, false, List.of(), 0, false, 0x0102);
        String golden = "0000000000000005" + "01" + "00" + "0000" + "0000" + "00" + "0102";

        assertThat(hex(ValueLayout.outgoing(queued))).isEqualTo(golden);
        assertThat(ValueLayout.readOutgoing(bytes(golden))).isEqualTo(queued);
        assertThat(ValueLayout.readOutgoing(bytes("0000000000000005" + "01" + "00" + "0000" + "0000" + "00"))
                .queuedPacketId()).isZero();
    }

    @Test
    void outgoing_fromASharedSubscription_endsWithItsShareFilter_afterTheQueuedPacketId() {
        OutgoingEntry sent = new OutgoingEntry(5, QoS.AT_LEAST_ONCE, false, List.of(), 0x0A, false, 0, "$share/g/a/+");
        String golden = "0000000000000005" + "01" + "00" + "0000" + "000a" + "00" + "0000"
                + "000c" + hex("$share/g/a/+".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(hex(ValueLayout.outgoing(sent))).isEqualTo(golden);
        assertThat(ValueLayout.readOutgoing(bytes(golden))).isEqualTo(sent);
        assertThat(ValueLayout.readOutgoing(bytes("0000000000000005" + "01" + "00" + "0000" + "000a" + "00" + "0102"))
                .share()).isNull();
    }

    @Test
    void subscription_isTheMqtt5OptionsByteAndTheSubscriptionId() {
        SubscriberOptions o = new SubscriberOptions(new SubscriptionOptions(QoS.EXACTLY_ONCE, true, true, 2), 300);
        String golden = "2e" + "0000012c";

        assertThat(hex(ValueLayout.subscription(o))).isEqualTo(golden);
        assertThat(ValueLayout.readSubscription(bytes(golden))).isEqualTo(o);
    }

    @Test
    void subscription_withAnInvalidOptionsByte_isRefused() {
        assertThatThrownBy(() -> ValueLayout.readSubscription(bytes("03" + "00000000")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outgoing_queuedInflightAndReleased() {
        OutgoingEntry queued = new OutgoingEntry(5, QoS.AT_LEAST_ONCE, true, List.of(7, 9), 0, false);
        String golden = "0000000000000005" + "01" + "01" + "0002" + "00000007" + "00000009" + "0000" + "00";
        OutgoingEntry released = new OutgoingEntry(0, QoS.EXACTLY_ONCE, false, List.of(), 0xABCD, true);
        String releasedGolden = "0000000000000000" + "02" + "00" + "0000" + "abcd" + "01";

        assertThat(hex(ValueLayout.outgoing(queued))).isEqualTo(golden);
        assertThat(ValueLayout.readOutgoing(bytes(golden))).isEqualTo(queued);
        assertThat(hex(ValueLayout.outgoing(released))).isEqualTo(releasedGolden);
        assertThat(ValueLayout.readOutgoing(bytes(releasedGolden))).isEqualTo(released);
    }

    @Test
    void will_isPublishTimeThenTheMessage() {
        byte[] value = ValueLayout.will(0x0102, bytes("aabb"));

        assertThat(hex(value)).isEqualTo("0000000000000102" + "aabb");
        assertThat(ValueLayout.willPublishAt(value)).isEqualTo(0x0102);
        assertThat(hex(ValueLayout.willMessage(value))).isEqualTo("aabb");
    }

    @Test
    void linkSequence_isIncarnationThenSequence() {
        LinkSequence mark = new LinkSequence(0x0102030405060708L, 9);
        String golden = "0102030405060708" + "0000000000000009";

        assertThat(hex(ValueLayout.linkSequence(mark))).isEqualTo(golden);
        assertThat(ValueLayout.readLinkSequence(bytes(golden))).isEqualTo(mark);
    }
}
