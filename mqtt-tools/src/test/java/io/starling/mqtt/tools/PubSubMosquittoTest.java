package io.starling.mqtt.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code starling pub} and {@code starling sub} side by side with mosquitto_pub and mosquitto_sub 2.0.11,
 * against Debian's mosquitto broker: each receives what the other sends, and for the same messages and
 * the same options {@code starling sub} prints exactly what mosquitto_sub prints, byte for byte, and
 * ends with the same status. Skipped where mosquitto is not installed.
 */
@Timeout(60)
class PubSubMosquittoTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    static Path dir;
    private static Mosquitto broker;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Mosquitto.installed(), "mosquitto is not installed");
        broker = Mosquitto.start(dir, "");
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static String port() {
        return Integer.toString(broker.port());
    }

    private static String[] with(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** Both subscribers, started with the same options and each waited for until subscribed. */
    private record Pair(ClientRun.RunningSub starling, Mosquitto.Tool mosquitto) {
        ClientRun starlingResult() {
            return starling.awaitExit(WAIT);
        }

        Mosquitto.Result mosquittoResult() {
            return mosquitto.awaitExit(WAIT);
        }
    }

    private static Pair subscribeBoth(String... args) throws InterruptedException {
        String id = "sub" + IDS.incrementAndGet();
        ClientRun.RunningSub starling = ClientRun.startSub(with(new String[] {"-p", port(), "-i", id + "-starling"}, args));
        Mosquitto.Tool mosquitto = broker.sub(with(new String[] {"-i", id + "-mosquitto"}, args));
        try {
            starling.awaitSubscribed(WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nbroker log:\n" + broker.log(), e);
        }
        broker.awaitSubscribed(id + "-mosquitto");
        return new Pair(starling, mosquitto);
    }

    private static void mosquittoPub(String... args) {
        Mosquitto.Result r = broker.pub(args);
        assertThat(r.status()).as("mosquitto_pub %s: %s", List.of(args), r.err()).isZero();
    }

    private static void assertSameOutput(Pair pair) {
        Mosquitto.Result expected = pair.mosquittoResult();
        ClientRun actual = pair.starlingResult();
        assertThat(actual.outText()).isEqualTo(expected.outText());
        assertThat(actual.out()).isEqualTo(expected.out());
        assertThat(actual.err()).isEqualTo(expected.err());
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    /** Three messages: v5 properties on the first, an empty retained one, a QoS 2 one with odd bytes. */
    private static void publishThree(String topic) {
        mosquittoPub("-t", topic + "/a", "-m", "hello", "-q", "1", "-V", "5",
                "-D", "publish", "content-type", "text/plain", "-D", "publish", "message-expiry-interval", "60",
                "-D", "publish", "user-property", "k1", "v1", "-D", "publish", "user-property", "k2", "v2",
                "-D", "publish", "payload-format-indicator", "1", "-D", "publish", "response-topic", "r/t",
                "-D", "publish", "correlation-data", "corr");
        mosquittoPub("-t", topic + "/b", "-n", "-r");
        mosquittoPub("-t", topic + "/c", "-m", "q\"\\x\tcafé", "-q", "2");
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void starlingSub_receivesWhatMosquittoPubSends(int qos) throws Exception {
        String q = Integer.toString(qos);
        ClientRun.RunningSub sub = ClientRun.startSub("-p", port(), "-t", "recv/q" + q + "/#", "-q", q, "-C", "2", "-v");
        sub.awaitSubscribed(WAIT);
        mosquittoPub("-t", "recv/q" + q + "/a", "-m", "first message", "-q", q);
        mosquittoPub("-t", "recv/q" + q + "/b/c", "-m", "second", "-q", q);
        ClientRun r = sub.awaitExit(WAIT);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.outText()).isEqualTo("recv/q" + q + "/a first message\nrecv/q" + q + "/b/c second\n");
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void starlingPub_reachesMosquittoSub(int qos) throws Exception {
        String q = Integer.toString(qos);
        Mosquitto.Tool sub = broker.sub("-i", "reach" + q, "-t", "reach/q" + q, "-q", q, "-C", "1", "-F", "%q %t %p");
        broker.awaitSubscribed("reach" + q);
        ClientRun pub = ClientRun.pub("-p", port(), "-t", "reach/q" + q, "-m", "from starling", "-q", q);
        assertThat(pub.status()).as(pub.err()).isZero();
        Mosquitto.Result r = sub.awaitExit(WAIT);
        assertThat(r.outText()).isEqualTo(q + " reach/q" + q + " from starling\n");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "%%|%A|%C|%D|%E|%F|%l|%m|%P|%p|%q|%R|%r|%S|%t|%x|%X",
            "%5t|%-5t|%.1t|%5.2t|%05l|%-05l|%10x|%010x|%-10X|%8p|%-8p|%08p|%-p|%3p|%4m|%-4m",
            "%12C|%-12R|%.4C|%-3E|%03F|%5S|%5A|%-5A",
            "\\\\|\\0|\\a|\\e|\\n|\\r|\\t|\\v|@@|@E|@q",
            "%j",
            "%J",
            "[%t] %p\\n"})
    void format_printsWhatMosquittoSubPrints_inMqtt5(String format) throws Exception {
        String topic = "fmt5/" + IDS.incrementAndGet();
        Pair pair = subscribeBoth("-t", topic + "/#", "-q", "2", "-V", "5", "-C", "3", "-F", format);
        publishThree(topic);
        if (format.contains("j") || format.contains("J")) {
            assertSameOutputOutsideTimestamps(pair);
        } else {
            assertSameOutput(pair);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"%t|%q|%r|%m|%l|%p|%x|%E|%P", "%j", "%-6l|%06m"})
    void format_printsWhatMosquittoSubPrints_in311(String format) throws Exception {
        String topic = "fmt3/" + IDS.incrementAndGet();
        Pair pair = subscribeBoth("-t", topic + "/#", "-q", "1", "-C", "3", "-F", format);
        publishThree(topic);
        if (format.contains("j")) {
            assertSameOutputOutsideTimestamps(pair);
        } else {
            assertSameOutput(pair);
        }
    }

    @Test
    void timeTokens_printTheSameShapes() throws Exception {
        String topic = "time/" + IDS.incrementAndGet();
        Pair pair = subscribeBoth("-t", topic + "/#", "-C", "3", "-V", "5",
                "-F", "%I|%U|@a @A @b @B @c @C @d @D @e @F @g @G @h @H @I @j @k @l @m @M @p @P @r @R @S @T @u @U @V "
                        + "@w @W @x @X @y @Y @z @Z|@N");
        publishThree(topic);
        Mosquitto.Result expected = pair.mosquittoResult();
        ClientRun actual = pair.starlingResult();
        // The two clocks read a few microseconds apart: compare down to the minute (the two may fall
        // either side of a minute's end), then the shapes.
        String[] e = expected.outText().split("\n");
        String[] a = actual.outText().split("\n");
        assertThat(a).hasSameSizeAs(e);
        for (int i = 0; i < e.length; i++) {
            assertThat(a[i].replaceAll("\\d", "9")).isEqualTo(e[i].replaceAll("\\d", "9"));
            java.time.LocalDateTime starling = java.time.LocalDateTime.parse(a[i].substring(0, 16));
            java.time.LocalDateTime mosquitto = java.time.LocalDateTime.parse(e[i].substring(0, 16));
            assertThat(java.time.Duration.between(mosquitto, starling).abs()).isLessThanOrEqualTo(java.time.Duration.ofMinutes(1));
        }
    }

    private static void assertSameOutputOutsideTimestamps(Pair pair) {
        Mosquitto.Result expected = pair.mosquittoResult();
        ClientRun actual = pair.starlingResult();
        String tst = "\"tst\":(\\t?)\"[^\"]*\"";
        assertThat(actual.outText().replaceAll(tst, "\"tst\":$1\"T\""))
                .isEqualTo(expected.outText().replaceAll(tst, "\"tst\":$1\"T\""));
        assertThat(actual.outText().replaceAll("\\d", "9")).isEqualTo(expected.outText().replaceAll("\\d", "9"));
        assertThat(actual.err()).isEqualTo(expected.err());
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    @Test
    void prettyJson_printsWhatMosquittoSubPrints() throws Exception {
        String topic = "pretty/" + IDS.incrementAndGet();
        Pair pair = subscribeBoth("-t", topic + "/#", "-V", "5", "-C", "2", "-F", "%J", "--pretty");
        mosquittoPub("-t", topic + "/a", "-m", "{\"a\":[1,[],{},{\"x\":[true,{\"y\":null}]}],\"e\":{},\"n\":-0.0}");
        mosquittoPub("-t", topic + "/b", "-m", "not json");
        assertSameOutputOutsideTimestamps(pair);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-v", "-N", "-v -N", "-q 1", "-R", "-T %s/b", "-T %s/+ -v", "-V 31 -v"})
    void plainAndVerboseOutput_andFilters_printWhatMosquittoSubPrints(String options) throws Exception {
        String topic = "opt/" + IDS.incrementAndGet();
        mosquittoPub("-t", topic + "/old", "-m", "stale", "-r");
        List<String> args = new ArrayList<>(List.of("-t", topic + "/#", "-W", "3"));
        for (String word : options.split(" ")) {
            args.add(word.replace("%s", topic));
        }
        Pair pair = subscribeBoth(args.toArray(String[]::new));
        publishThree(topic);
        mosquittoPub("-t", topic + "/d", "-m", "last");
        assertSameOutput(pair); // both end at -W 3: status 27, "Timed out"
        mosquittoPub("-t", topic + "/old", "-n", "-r");
    }

    @Test
    void countedRun_endsAfterCount_withStatus0() throws Exception {
        String topic = "count/" + IDS.incrementAndGet();
        Pair pair = subscribeBoth("-t", topic, "-C", "2", "-q", "1");
        for (String m : List.of("1", "2", "3")) {
            mosquittoPub("-t", topic, "-m", m, "-q", "1");
        }
        assertSameOutput(pair);
    }

    @Test
    void timeout_exitsWith27_andSaysTimedOut() {
        ClientRun r = ClientRun.sub("-p", port(), "-t", "nothing/here", "-W", "1");
        Mosquitto.Result m = broker.sub("-t", "nothing/here", "-W", "1").awaitExit(WAIT);
        assertThat(m.status()).isEqualTo(27);
        assertThat(r.status()).isEqualTo(27);
        assertThat(r.err()).isEqualTo(m.err()).isEqualTo("Timed out\n");
    }

    @Test
    void retainedOnly_printsRetainedMessages_andEndsAtTheFirstFreshOne() throws Exception {
        String topic = "ro/" + IDS.incrementAndGet();
        mosquittoPub("-t", topic + "/1", "-m", "kept one", "-r");
        mosquittoPub("-t", topic + "/2", "-m", "kept two", "-r");
        Pair pair = subscribeBoth("-t", topic + "/#", "--retained-only", "-v");
        mosquittoPub("-t", topic + "/3", "-m", "fresh");
        assertSameOutput(pair);
        mosquittoPub("-t", topic + "/1", "-n", "-r");
        mosquittoPub("-t", topic + "/2", "-n", "-r");
    }

    @Test
    void removeRetained_clearsWhatItReceived() throws Exception {
        String topic = "rr/" + IDS.incrementAndGet();
        mosquittoPub("-t", topic + "/1", "-m", "kept", "-r");
        ClientRun r = ClientRun.sub("-p", port(), "-t", topic + "/#", "--remove-retained", "--retained-only", "-W", "5");
        assertThat(r.outText()).isEqualTo("kept\n");
        Mosquitto.Result after = broker.sub("-t", topic + "/#", "-W", "1").awaitExit(WAIT);
        assertThat(after.outText()).isEmpty();
    }

    @Test
    void exitAfterSubscribe_andUnsubscribe_endAtOnce() {
        ClientRun r = ClientRun.sub("-p", port(), "-t", "e/x", "-U", "e/y", "-E", "-i", "e-sub", "-c");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
    }

    @Test
    void pubFromStdinLines_fromFile_null_retain_andQos2_arriveAsSent() throws Exception {
        String topic = "modes/" + IDS.incrementAndGet();
        Mosquitto.Tool sub = broker.sub("-i", "modes-sub", "-t", topic + "/#", "-C", "5", "-q", "2",
                "-F", "%t|%q|%r|%l|%p");
        broker.awaitSubscribed("modes-sub");
        assertThat(ClientRun.pubWithInput("one\n\nthree".getBytes(StandardCharsets.UTF_8),
                "-p", port(), "-t", topic + "/lines", "-l", "-q", "1").status()).isZero();
        Path file = dir.resolve("payload.bin");
        Files.write(file, new byte[] {'f', 'i', 'l', 'e', '\n'});
        assertThat(ClientRun.pub("-p", port(), "-t", topic + "/file", "-f", file.toString(), "-q", "2").status()).isZero();
        // QoS 2 as the file: a QoS 0 message could overtake the QoS 2 one on its way to the subscriber
        assertThat(ClientRun.pub("-p", port(), "-t", topic + "/null", "-n", "-r", "-q", "2").status()).isZero();
        Mosquitto.Result r = sub.awaitExit(WAIT);
        assertThat(r.outText()).isEqualTo(topic + "/lines|1|0|3|one\n" + topic + "/lines|1|0|0|\n" + topic
                + "/lines|1|0|5|three\n" + topic + "/file|2|0|5|file\n\n" + topic + "/null|2|0|0|\n");
        mosquittoPub("-t", topic + "/null", "-n", "-r");
    }

    @Test
    void retainedPub_isKeptByTheBroker() throws Exception {
        String topic = "retain/" + IDS.incrementAndGet();
        assertThat(ClientRun.pub("-p", port(), "-t", topic, "-m", "kept", "-r", "-q", "1").status()).isZero();
        Mosquitto.Result r = broker.sub("-t", topic, "-C", "1", "-F", "%r %p").awaitExit(WAIT);
        assertThat(r.outText()).isEqualTo("1 kept\n");
        mosquittoPub("-t", topic, "-n", "-r");
    }

    @Test
    void pubProperties_arriveAsMosquittoSubShowsThem() throws Exception {
        String topic = "props/" + IDS.incrementAndGet();
        Mosquitto.Tool sub = broker.sub("-i", "props-sub", "-t", topic, "-C", "1", "-V", "5", "-F", "%E|%C|%R|%D|%F|%P|%p");
        broker.awaitSubscribed("props-sub");
        ClientRun pub = ClientRun.pub("-p", port(), "-t", topic, "-m", "payload", "-D", "publish",
                "message-expiry-interval", "60", "-D", "publish", "content-type", "text/x", "-D", "publish",
                "response-topic", "reply/here", "-D", "publish", "correlation-data", "c-42", "-D", "publish",
                "payload-format-indicator", "1", "-D", "publish", "user-property", "a", "b", "-D", "publish",
                "user-property", "a", "c", "-D", "connect", "session-expiry-interval", "0");
        assertThat(pub.status()).as(pub.err()).isZero();
        assertThat(sub.awaitExit(WAIT).outText()).isEqualTo("60|text/x|reply/here|c-42|1|a:b a:c|payload\n");
    }

    @Test
    void repeat_publishesNTimes() throws Exception {
        String topic = "repeat/" + IDS.incrementAndGet();
        Mosquitto.Tool sub = broker.sub("-i", "repeat-sub", "-t", topic, "-C", "3");
        broker.awaitSubscribed("repeat-sub");
        assertThat(ClientRun.pub("-p", port(), "-t", topic, "-m", "again", "--repeat", "3", "--repeat-delay", "0.1")
                .status()).isZero();
        assertThat(sub.awaitExit(WAIT).outText()).isEqualTo("again\nagain\nagain\n");
    }

    @Test
    void topicAlias_isSentOnlyOnTheFirstOfRepeatedPublishes() throws Exception {
        String topic = "alias/" + IDS.incrementAndGet();
        Mosquitto.Tool sub = broker.sub("-i", "alias-sub", "-t", topic, "-C", "2", "-v");
        broker.awaitSubscribed("alias-sub");
        ClientRun pub = ClientRun.pub("-p", port(), "-t", topic, "-m", "m", "--repeat", "2", "-D", "publish",
                "topic-alias", "1");
        assertThat(pub.status()).as(pub.err()).isZero();
        assertThat(sub.awaitExit(WAIT).outText()).isEqualTo(topic + " m\n" + topic + " m\n");
    }

    @Test
    void refusedConnection_printsMosquittosError_andExitsWithTheConnackCode() throws Exception {
        try (Mosquitto closed = Mosquitto.startClosed(dir)) {
            String p = Integer.toString(closed.port());
            for (String version : List.of("mqttv311", "mqttv5")) {
                Mosquitto.Result mSub = Mosquitto.tool(Mosquitto.SUB, List.of("-p", p), new byte[0], "-t", "x", "-V", version)
                        .awaitExit(WAIT);
                ClientRun sSub = ClientRun.sub("-p", p, "-t", "x", "-V", version);
                assertThat(sSub.status()).isEqualTo(mSub.status()).isEqualTo(version.equals("mqttv5") ? 135 : 5);
                assertThat(sSub.err()).isEqualTo(mSub.err());
                Mosquitto.Result mPub = Mosquitto.tool(Mosquitto.PUB, List.of("-p", p), new byte[0], "-t", "x", "-m", "y",
                        "-V", version).awaitExit(WAIT);
                ClientRun sPub = ClientRun.pub("-p", p, "-t", "x", "-m", "y", "-V", version);
                assertThat(sPub.status()).isEqualTo(mPub.status());
                assertThat(sPub.err()).isEqualTo(mPub.err());
            }
        }
    }

    @Test
    void noBroker_isConnectionRefused_status1() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            String p = closed.text();
            Mosquitto.Result m = Mosquitto.tool(Mosquitto.SUB, List.of("-p", p), new byte[0], "-t", "x").awaitExit(WAIT);
            ClientRun s = ClientRun.sub("-p", p, "-t", "x");
            assertThat(s.status()).isEqualTo(m.status()).isEqualTo(1);
            assertThat(s.err()).isEqualTo(m.err()).isEqualTo("Error: Connection refused\n");
        }
    }
}
