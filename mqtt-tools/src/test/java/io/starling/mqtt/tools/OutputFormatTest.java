package io.starling.mqtt.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.mqtt.codec.Properties;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.codec.Publish;
import io.starling.mqtt.codec.QoS;
import io.starling.mqtt.tools.ClientArguments.Tool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code -F}, {@code -v}, {@code -N} and the plain output, rendered for fixed messages at a fixed time
 * (2021-06-08 09:47:38.123456789 in London, +0100). The expected texts are what mosquitto_sub 2.0.11
 * printed for the same message and format; the interop tests check the same live, side by side.
 */
class OutputFormatTest {
    private static final Instant NOW = Instant.parse("2021-06-08T08:47:38.123456789Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneId.of("Europe/London"));
    private static final ZonedDateTime AT = ZonedDateTime.ofInstant(NOW, ZoneId.of("Europe/London"));

    private static Publish v5Message() {
        Properties props = Properties.builder()
                .text(PropertyId.CONTENT_TYPE, "text/plain")
                .user("k1", "v1").user("k2", "v2")
                .number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)
                .text(PropertyId.RESPONSE_TOPIC, "r/t")
                .binary(PropertyId.CORRELATION_DATA, "corr".getBytes(StandardCharsets.UTF_8))
                .number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60)
                .number(PropertyId.SUBSCRIPTION_IDENTIFIER, 7)
                .build();
        return new Publish(false, QoS.AT_LEAST_ONCE, false, "a/b", 3, props, utf8("hello"));
    }

    private static Publish plain(String topic, String payload, QoS qos, boolean retain) {
        return new Publish(false, qos, retain, topic, qos == QoS.AT_MOST_ONCE ? 0 : 9, Properties.EMPTY, utf8(payload));
    }

    private static io.netty.buffer.ByteBuf utf8(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String render(Publish message, String... args) {
        List<String> all = new ArrayList<>(List.of("-t", "#"));
        all.addAll(List.of(args));
        try {
            return MessagePrinter.render(ClientArguments.parse(Tool.SUB, all), message, CLOCK);
        } catch (ClientArguments.Refused e) {
            throw new AssertionError(e.getMessage());
        }
    }

    @Test
    void everyMessageToken_printsAsMosquittoDoes() {
        assertThat(render(v5Message(), "-F", "%%|%A|%C|%D|%E|%F|%l|%m|%P|%p|%q|%R|%r|%S|%t|%x|%X"))
                .isEqualTo("%||text/plain|corr|60|1|5|3|k1:v1 k2:v2|hello|1|r/t|0|7|a/b|68656c6c6f|68656C6C6F\n");
    }

    @Test
    void absentProperties_printNothingOrTheirPadding() {
        assertThat(render(plain("a/c", "", QoS.AT_MOST_ONCE, false), "-F", "%A|%C|%D|%E|%F|%P|%R|%S|%5A|%5C|%05E|%5R|"))
                .isEqualTo("||||||||     |     |00000||\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "'%5t|%-5t|%.1t|%5.2t';'  a/b|a/b  |a|   a/'",
            "'%05l|%-05l|%5m|%-5m';'00005|5    |    3|3    '",
            "'%10x|%010x|%-10X|%4x';'      6865|0000006865|6865      |6865'",
            "'%8p|%-8p|%08p|%-p|%3p';'   hello|hello   |000hello|hello     |hel'",
            "'%12C|%-12R|%.4C';'  text/plain|r/t         |text'",
            "'%-3E|%03F|%5S';'60 |001|    7'"})
    void widthsFlagsAndPrecisions_keepMosquittosQuirks(String format, String expected) {
        assertThat(render(v5Message(), "-F", format)).isEqualTo(expected + "\n");
    }

    @Test
    void escapes_printTheirCharacters_andUnknownOnesNothing() {
        assertThat(render(v5Message(), "-F", "\\\\|\\0|\\a|\\e|\\n|\\r|\\t|\\v"))
                .isEqualTo("\\|\0|\u0007|\u001b|\n|\r|\t|\u000b\n");
    }

    @Test
    void timeTokens_useTheLocalTime() {
        assertThat(render(v5Message(), "-F", "%I|%U|@Y-@m-@dT@H:@M:@S.@N@z|@@|@s"))
                .isEqualTo("2021-06-08T09:47:38+0100|1623142058.123456789|2021-06-08T09:47:38.123456789+0100|@|"
                        + "1623142058\n");
    }

    @Test
    void everyStrftimeConversion_printsAsGlibcInTheCLocale() {
        String letters = "aAbBcCdDeFgGhHIjklmMpPrRsSTuUVwWxXyYzZ";
        StringBuilder format = new StringBuilder();
        for (char c : letters.toCharArray()) {
            format.append('|').append(c).append('=').append('@').append(c);
        }
        // expected: LC_ALL=C TZ=Europe/London date -d @1623142058 with the same conversions
        assertThat(render(v5Message(), "-F", format.toString())).isEqualTo("|a=Tue|A=Tuesday|b=Jun|B=June"
                + "|c=Tue Jun  8 09:47:38 2021|C=20|d=08|D=06/08/21|e= 8|F=2021-06-08|g=21|G=2021|h=Jun|H=09|I=09"
                + "|j=159|k= 9|l= 9|m=06|M=47|p=AM|P=am|r=09:47:38 AM|R=09:47|s=1623142058|S=38|T=09:47:38|u=2|U=23"
                + "|V=23|w=2|W=23|x=06/08/21|X=09:47:38|y=21|Y=2021|z=+0100|Z=BST\n");
    }

    @Test
    void strftime_atAYearsEnd_inANegativeHalfHourZone() {
        ZonedDateTime t = ZonedDateTime.ofInstant(Instant.ofEpochSecond(1609459200), ZoneId.of("America/St_Johns"));
        StringBuilder s = new StringBuilder();
        for (char c : "zZGgVUWj".toCharArray()) {
            s.append(Strftime.format(c, t)).append(' ');
        }
        assertThat(s.toString()).isEqualTo("-0330 NST 2020 20 53 52 52 366 ");
    }

    @Test
    void unknownStrftimeConversions_printAsWritten() {
        assertThat(render(v5Message(), "-F", "@E|@O|@q|@%|@n|@t")).isEqualTo("%E|%O|%q|%|\n|\t\n");
    }

    @Test
    void json_hasMosquittosFieldsAndOrder() {
        assertThat(render(v5Message(), "-F", "%j")).isEqualTo("{\"tst\":\"2021-06-08T09:47:38.123456Z+0100\","
                + "\"topic\":\"a/b\",\"qos\":1,\"retain\":0,\"payloadlen\":5,\"mid\":3,\"properties\":{"
                + "\"content-type\":\"text/plain\",\"user-properties\":{\"k1\":\"v1\",\"k2\":\"v2\"},"
                + "\"payload-format-indicator\":1,\"response-topic\":\"r/t\",\"correlation-data\":\"corr\","
                + "\"message-expiry-interval\":60,\"subscription-identifier\":7},\"payload\":\"hello\"}\n");
    }

    @Test
    void json_escapesLikeCJson_andCutsThePayloadAtAZeroByte() {
        Publish m = new Publish(false, QoS.AT_MOST_ONCE, true, "t/\"q\"", 0, Properties.EMPTY,
                Unpooled.wrappedBuffer(new byte[] {'q', '"', '\\', '\n', 1, (byte) 0xC3, (byte) 0xA9, 0, 'z'}));
        assertThat(render(m, "-F", "%j")).isEqualTo("{\"tst\":\"2021-06-08T09:47:38.123456Z+0100\",\"topic\":"
                + "\"t/\\\"q\\\"\",\"qos\":0,\"retain\":1,\"payloadlen\":9,\"payload\":\"q\\\"\\\\\\n\\u0001é\"}\n");
        assertThat(render(plain("e", "", QoS.AT_MOST_ONCE, false), "-F", "%j")).endsWith("\"payloadlen\":0,\"payload\":null}\n");
    }

    @Test
    void jsonPayload_isReparsedAndPrintedAsCJsonPrintsIt() {
        Publish m = plain("j", "{\"a\": [1.50, 2e3, -0.0, 1e300, 123456789012345678, true, null, \"x\\u00e9\\n\"], \"b\": {}}",
                QoS.AT_MOST_ONCE, false);
        assertThat(render(m, "-F", "%J")).endsWith("\"payload\":{\"a\":[1.5,2000,-0,1e+300,1.2345678901234568e+17,"
                + "true,null,\"xé\\n\"],\"b\":{}}}\n");
    }

    @Test
    void jsonPayloadThatIsNotJson_printsAnErrorAndNothingForTheToken() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OutputFormat.write(out, "%J|%p", plain("k/a", "not json", QoS.AT_MOST_ONCE, false), "not json".getBytes(
                StandardCharsets.UTF_8), AT, false, true, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("|not json\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("Error: Message payload is not valid JSON on topic k/a.\n");
    }

    @Test
    void prettyJson_isCJsonsFormattedPrint() {
        Publish m = plain("j/a", "{\"a\":[1,[],{},{\"x\":[true,{\"y\":null}]}],\"e\":{}}", QoS.AT_MOST_ONCE, false);
        assertThat(render(m, "-F", "%J", "--pretty")).isEqualTo("{\n\t\"tst\":\t\"2021-06-08T09:47:38.123456Z+0100\",\n"
                + "\t\"topic\":\t\"j/a\",\n\t\"qos\":\t0,\n\t\"retain\":\t0,\n\t\"payloadlen\":\t46,\n"
                + "\t\"payload\":\t{\n\t\t\"a\":\t[1, [], {\n\t\t\t}, {\n\t\t\t\t\"x\":\t[true, {\n"
                + "\t\t\t\t\t\t\"y\":\tnull\n\t\t\t\t\t}]\n\t\t\t}],\n\t\t\"e\":\t{\n\t\t}\n\t}\n}\n");
    }

    @Test
    void cJsonNumbers_useFifteenSignificantDigits_thenSeventeen() {
        assertThat(CJson.number(0.1)).isEqualTo("0.1");
        assertThat(CJson.number(1e-5)).isEqualTo("1e-05");
        assertThat(CJson.number(123456.0)).isEqualTo("123456");
        assertThat(CJson.number(1e15)).isEqualTo("1e+15");
        assertThat(CJson.number(4294967295.0)).isEqualTo("4294967295");
        assertThat(CJson.number(0.30000000000000004)).isEqualTo("0.30000000000000004");
        assertThat(CJson.number(-2.5)).isEqualTo("-2.5");
    }

    @Test
    void verbose_printsTopicAndPayload_andNullForAnEmptyPayload() {
        assertThat(render(plain("v/a", "one", QoS.AT_MOST_ONCE, false), "-v")).isEqualTo("v/a one\n");
        assertThat(render(plain("v/b", "", QoS.AT_MOST_ONCE, false), "-v")).isEqualTo("v/b (null)\n");
        assertThat(render(plain("v/b", "", QoS.AT_MOST_ONCE, false), "-v", "-N")).isEmpty();
    }

    @Test
    void plainOutput_printsPayloadsOnly_andNothingForAnEmptyOne() {
        assertThat(render(plain("p", "one", QoS.AT_MOST_ONCE, false))).isEqualTo("one\n");
        assertThat(render(plain("p", "", QoS.AT_MOST_ONCE, false))).isEmpty();
        assertThat(render(plain("p", "one", QoS.AT_MOST_ONCE, false), "-N")).isEqualTo("one");
        assertThat(render(plain("p", "one", QoS.AT_MOST_ONCE, false), "-F", "%p", "-N")).isEqualTo("one");
    }

    @Test
    void format_overridesVerbose() {
        assertThat(render(plain("p", "one", QoS.EXACTLY_ONCE, true), "-v", "-F", "%q%r %t")).isEqualTo("21 p\n");
    }
}
