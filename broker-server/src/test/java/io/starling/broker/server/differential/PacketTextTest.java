package io.starling.broker.server.differential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The harness's packet text against bytes worked out by hand from the MQTT 3.1.1 and 5.0 specifications. */
class PacketTextTest {
    @Test
    void connect311_isWrittenAsTheSpecificationLaysItOut() {
        assertThat(PacketText.hex(PacketText.encode("CONNECT v=4 id=ab clean=1 keepalive=60", 4)))
                .isEqualTo("hex 10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 61 62");
    }

    @Test
    void connect5WithWillAndCredentials_putsEachPropertySectionWhereItBelongs() {
        assertThat(PacketText.hex(PacketText.encode(
                "CONNECT v=5 id=c session_expiry=10 will.topic=w will.payload=x will.qos=1 will.will_delay=5 user=u pass=p", 5)))
                .isEqualTo("hex 10 25 00 04 4d 51 54 54 05 ce 00 3c 05 11 00 00 00 0a 00 01 63"
                        + " 05 18 00 00 00 05 00 01 77 00 01 78 00 01 75 00 01 70");
    }

    @Test
    void subscribeOptions_areOneByteAfterEachFilter() {
        assertThat(PacketText.hex(PacketText.encode("SUBSCRIBE id=1 topic=a qos=1 nl=1 rap=1 rh=2 topic=b opts=0xc0", 5)))
                .isEqualTo("hex 82 0b 00 01 00 00 01 61 2d 00 01 62 c0");
    }

    @Test
    void acks_useTheShortFormUnlessAReasonIsWritten() {
        assertThat(PacketText.hex(PacketText.encode("PUBREL id=7", 5))).isEqualTo("hex 62 02 00 07");
        assertThat(PacketText.hex(PacketText.encode("PUBACK id=7 rc=0x10", 5))).isEqualTo("hex 40 03 00 07 10");
        assertThat(PacketText.hex(PacketText.encode("PUBREL id=7 flags=0", 4))).isEqualTo("hex 60 02 00 07");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "CONNACK sp=1 rc=0 topic_alias_maximum=10 assigned_client_id=auto-x receive_maximum=20",
        "PUBLISH topic=a/b qos=2 id=300 retain=1 dup=1 message_expiry=9 user_property=\"k:v w\" payload=hex:00ff",
        "PUBLISH topic=\"a b\" payload=\"hello world\"",
        "PUBACK id=1 rc=135 reason_string=no",
        "SUBACK id=9 rc=0 rc=1 rc=128",
        "UNSUBACK id=9 rc=17",
        "DISCONNECT rc=142",
        "PINGRESP",
    })
    void whatBrokersSend_readsBackAsTheTextThatWritesIt(String text) {
        assertThat(PacketText.decode(PacketText.encode(text, 5), 5)).isEqualTo(text);
    }

    @Test
    void aMisspeltField_isAnError_notIgnored() {
        assertThatThrownBy(() -> PacketText.encode("PUBLISH topic=a qso=1", 5))
                .hasMessageContaining("no field 'qso'");
    }
}
