package io.starling.broker.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of every kind of key (format version 1). A failure here means stores written by an
 * earlier build would be misread: bump {@link KeyLayout#FORMAT_VERSION} instead of editing the bytes.
 */
class KeyLayoutTest {

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void formatVersion_isOne() {
        assertThat(KeyLayout.FORMAT_VERSION).isEqualTo(1);
        assertThat(hex(KeyLayout.version())).isEqualTo("56");
    }

    @Test
    void session_isKindThenLengthPrefixedClientId() {
        assertThat(hex(KeyLayout.session("c1"))).isEqualTo("53" + "0002" + "6331");
    }

    @Test
    void subscription_endsWithTheFilter() {
        assertThat(hex(KeyLayout.subscription("c1", "a/+"))).isEqualTo("42" + "0002" + "6331" + "612f2b");
    }

    @Test
    void outgoing_endsWithTheSeqAsEightBytes() {
        assertThat(hex(KeyLayout.outgoing("c1", 258))).isEqualTo("4f" + "0002" + "6331" + "0000000000000102");
    }

    @Test
    void incomingQos2_endsWithThePacketIdAsTwoBytes() {
        assertThat(hex(KeyLayout.incomingQos2("c1", 0xFFFE))).isEqualTo("49" + "0002" + "6331" + "fffe");
    }

    @Test
    void will_isKindThenClientId() {
        assertThat(hex(KeyLayout.will("c1"))).isEqualTo("57" + "0002" + "6331");
    }

    @Test
    void message_isKindThenStoreIdAsEightBytes() {
        assertThat(hex(KeyLayout.message(0x0102030405060708L))).isEqualTo("4d" + "0102030405060708");
    }

    @Test
    void retained_isKindThenTopic() {
        assertThat(hex(KeyLayout.retained("a/b"))).isEqualTo("52" + "612f62");
    }

    @Test
    void clientId_isCountedInUtf8Bytes() {
        assertThat(hex(KeyLayout.session("é"))).isEqualTo("53" + "0002" + "c3a9");
    }

    @Test
    void keys_readBackTheirParts() {
        assertThat(KeyLayout.clientId(KeyLayout.outgoing("client-é", 7))).isEqualTo("client-é");
        assertThat(KeyLayout.seq(KeyLayout.outgoing("c", Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
        assertThat(KeyLayout.packetId(KeyLayout.incomingQos2("c", 65535))).isEqualTo(65535);
        assertThat(KeyLayout.filter(KeyLayout.subscription("c", "$share/g/#"))).isEqualTo("$share/g/#");
        assertThat(KeyLayout.storeId(KeyLayout.message(42))).isEqualTo(42);
        assertThat(KeyLayout.topic(KeyLayout.retained("a/é"))).isEqualTo("a/é");
    }

    @Test
    void clientPrefix_ofOneClient_isNoPrefixOfAnotherClientsKeys() {
        byte[] a = KeyLayout.clientPrefix(KeyLayout.OUTGOING, "a");

        assertThat(KeyLayout.startsWith(KeyLayout.outgoing("a", 1), a)).isTrue();
        assertThat(KeyLayout.startsWith(KeyLayout.outgoing("ab", 1), a)).isFalse();
    }

    @Test
    void endOf_isJustPastEveryKeyWithThePrefix() {
        assertThat(hex(KeyLayout.endOf(new byte[] {0x4f, 0x00, 0x02}))).isEqualTo("4f0003");
        assertThat(hex(KeyLayout.endOf(new byte[] {0x4f, 0x01, (byte) 0xff, (byte) 0xff}))).isEqualTo("4f02");
    }

    @Test
    void describe_namesTheEntryForLogs() {
        assertThat(KeyLayout.describe(KeyLayout.outgoing("c1", 3))).isEqualTo("O of client c1");
        assertThat(KeyLayout.describe(KeyLayout.message(9))).isEqualTo("M 9");
        assertThat(KeyLayout.describe(new byte[] {0x01, 0x02})).isEqualTo("0102");
    }

    @Test
    void linkSequence_isKindThenLengthPrefixedNodeId() {
        assertThat(hex(KeyLayout.linkSequence("n1"))).isEqualTo("4c" + "0002" + "6e31");
        assertThat(KeyLayout.clientId(KeyLayout.linkSequence("node-é"))).isEqualTo("node-é");
        assertThat(KeyLayout.describe(KeyLayout.linkSequence("n1"))).isEqualTo("L of node n1");
    }
}
