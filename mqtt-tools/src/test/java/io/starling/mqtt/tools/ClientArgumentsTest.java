package io.starling.mqtt.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.mqtt.codec.MqttVersion;
import io.starling.mqtt.codec.Property;
import io.starling.mqtt.codec.PropertyId;
import io.starling.mqtt.tools.ClientArguments.MessageMode;
import io.starling.mqtt.tools.ClientArguments.Refused;
import io.starling.mqtt.tools.ClientArguments.Tool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every option of {@code starling pub} and {@code starling sub}, read as mosquitto_pub/sub 2.0.11 read
 * them. The refusal messages were taken from the real tools (Debian's 2.0.11), byte for byte.
 */
class ClientArgumentsTest {
    private static ClientArguments sub(String... args) throws Refused {
        return ClientArguments.parse(Tool.SUB, List.of(args));
    }

    private static ClientArguments pub(String... args) throws Refused {
        return ClientArguments.parse(Tool.PUB, List.of(args));
    }

    @Test
    void defaults_areMosquittos() throws Refused {
        ClientArguments a = sub("-t", "x");
        assertThat(a.host).isEqualTo("localhost");
        assertThat(a.effectivePort()).isEqualTo(1883);
        assertThat(a.keepalive).isEqualTo(60);
        assertThat(a.version).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(a.qos).isZero();
        assertThat(a.cleanSession).isTrue();
        assertThat(a.eol).isTrue();
        assertThat(a.maxInflight).isEqualTo(20);
        assertThat(a.repeatCount).isEqualTo(1);
        assertThat(a.usesTls()).isFalse();
        assertThat(ClientSetup.clientId(a, 77)).isEmpty();
    }

    @Test
    void connectionOptions_areRead() throws Refused {
        ClientArguments a = sub("-h", "broker.example", "-p", "1884", "-A", "127.0.0.2", "-i", "me", "-k", "30", "-c",
                "-q", "2", "-u", "user", "-P", "secret", "-V", "mqttv31", "-d", "--quiet", "--nodelay", "-M", "5",
                "-t", "a/#", "-t", "b/+");
        assertThat(a.host).isEqualTo("broker.example");
        assertThat(a.effectivePort()).isEqualTo(1884);
        assertThat(a.bindAddress).isEqualTo("127.0.0.2");
        assertThat(a.id).isEqualTo("me");
        assertThat(a.keepalive).isEqualTo(30);
        assertThat(a.cleanSession).isFalse();
        assertThat(a.qos).isEqualTo(2);
        assertThat(a.username).isEqualTo("user");
        assertThat(a.password).isEqualTo("secret");
        assertThat(a.version).isEqualTo(MqttVersion.MQTT_3_1);
        assertThat(a.debug).isTrue();
        assertThat(a.quiet).isTrue();
        assertThat(a.noDelay).isTrue();
        assertThat(a.maxInflight).isEqualTo(5);
        assertThat(a.topics).containsExactly("a/#", "b/+");
    }

    @Test
    void protocolVersion_takesEveryMosquittoSpelling() throws Refused {
        assertThat(sub("-t", "x", "-V", "31").version).isEqualTo(MqttVersion.MQTT_3_1);
        assertThat(sub("-t", "x", "-V", "311").version).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(sub("-t", "x", "-V", "mqttv311").version).isEqualTo(MqttVersion.MQTT_3_1_1);
        assertThat(sub("-t", "x", "-V", "5").version).isEqualTo(MqttVersion.MQTT_5);
        assertThat(sub("-t", "x", "--protocol-version", "mqttv5").version).isEqualTo(MqttVersion.MQTT_5);
    }

    @Test
    void idPrefix_isFollowedByTheProcessId() throws Refused {
        assertThat(ClientSetup.clientId(sub("-t", "x", "-I", "pre-"), 1234)).isEqualTo("pre-1234");
    }

    @Test
    void subOutputOptions_areRead() throws Refused {
        ClientArguments a = sub("-t", "x", "-v", "-N", "-C", "3", "-W", "9", "-R", "-T", "x/y", "-T", "z/#", "-U", "old",
                "-E", "-F", "%t %p", "--pretty", "--random-filter", "50", "--remove-retained", "--retain-as-published");
        assertThat(a.verbose).isTrue();
        assertThat(a.eol).isFalse();
        assertThat(a.msgCount).isEqualTo(3);
        assertThat(a.timeout).isEqualTo(9);
        assertThat(a.noRetain).isTrue();
        assertThat(a.filterOuts).containsExactly("x/y", "z/#");
        assertThat(a.unsubscribeTopics).containsExactly("old");
        assertThat(a.exitAfterSubscribe).isTrue();
        assertThat(a.format).isEqualTo("%t %p");
        assertThat(a.pretty).isTrue();
        assertThat(a.randomFilter).isEqualTo(500);
        assertThat(a.removeRetained).isTrue();
        assertThat(a.retainAsPublished).isTrue();
        assertThat(sub("-t", "x", "--retained-only").retainedOnly).isTrue();
    }

    @Test
    void pubMessageModes_areRead() throws Refused {
        ClientArguments m = pub("-t", "x", "-m", "héllo", "-r", "--repeat", "3", "--repeat-delay", "0.5");
        assertThat(m.messageMode).isEqualTo(MessageMode.COMMAND_LINE);
        assertThat(m.message).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(m.retain).isTrue();
        assertThat(m.repeatCount).isEqualTo(3);
        assertThat(m.repeatDelay).isEqualTo(Duration.ofMillis(500));
        assertThat(pub("-t", "x", "-f", "file").messageMode).isEqualTo(MessageMode.FILE);
        assertThat(pub("-t", "x", "-f", "file").file).isEqualTo("file");
        assertThat(pub("-t", "x", "-l").messageMode).isEqualTo(MessageMode.STDIN_LINE);
        assertThat(pub("-t", "x", "-s").messageMode).isEqualTo(MessageMode.STDIN_FILE);
        assertThat(pub("-t", "x", "-n").messageMode).isEqualTo(MessageMode.NULL);
        assertThat(pub("-t", "a", "-t", "b", "-n").topic).isEqualTo("b");
    }

    @Test
    void will_isRead() throws Refused {
        ClientArguments a = sub("-t", "x", "--will-topic", "gone", "--will-payload", "bye", "--will-qos", "1",
                "--will-retain");
        assertThat(a.willTopic).isEqualTo("gone");
        assertThat(a.willPayload).isEqualTo("bye".getBytes(StandardCharsets.UTF_8));
        assertThat(a.willQos).isEqualTo(1);
        assertThat(a.willRetain).isTrue();
    }

    @Test
    void tlsOptions_areRead_andCaFilesMeanPort8883() throws Refused {
        ClientArguments a = sub("-t", "x", "--cafile", "ca.pem", "--capath", "/etc/ssl", "--cert", "c.pem", "--key",
                "k.pem", "--insecure", "--tls-version", "tlsv1.2", "--tls-alpn", "mqtt", "--ciphers", "HIGH",
                "--keyform", "pem");
        assertThat(a.cafile).isEqualTo("ca.pem");
        assertThat(a.capath).isEqualTo("/etc/ssl");
        assertThat(a.certfile).isEqualTo("c.pem");
        assertThat(a.keyfile).isEqualTo("k.pem");
        assertThat(a.insecure).isTrue();
        assertThat(a.tlsVersion).isEqualTo("tlsv1.2");
        assertThat(a.tlsAlpn).isEqualTo("mqtt");
        assertThat(a.ciphers).isEqualTo("HIGH");
        assertThat(a.usesTls()).isTrue();
        assertThat(a.effectivePort()).isEqualTo(8883);
        assertThat(sub("-t", "x", "-p", "8883").usesTls()).isTrue();
        assertThat(sub("-t", "x", "--tls-use-os-certs").usesTls()).isTrue();
    }

    @Test
    void url_setsHostPortCredentialsAndTopic() throws Refused {
        ClientArguments a = sub("-L", "mqtt://alice:s3cret@broker:1999/a/b");
        assertThat(a.host).isEqualTo("broker");
        assertThat(a.port).isEqualTo(1999);
        assertThat(a.username).isEqualTo("alice");
        assertThat(a.password).isEqualTo("s3cret");
        assertThat(a.topics).containsExactly("a/b");
        ClientArguments tls = pub("-L", "mqtts://broker/t", "-n");
        assertThat(tls.effectivePort()).isEqualTo(8883);
        assertThat(tls.usesTls()).isTrue();
        assertThat(tls.topic).isEqualTo("t");
    }

    @Test
    void property_switchesToMqtt5_andIsKeptPerCommand() throws Refused {
        ClientArguments a = pub("-t", "x", "-m", "y", "-D", "publish", "message-expiry-interval", "60",
                "-D", "PUBLISH", "user-property", "a", "b", "-D", "connect", "session-expiry-interval", "300",
                "-D", "will", "content-type", "text/plain", "-D", "disconnect", "reason-string", "bye");
        assertThat(a.version).isEqualTo(MqttVersion.MQTT_5);
        assertThat(a.publishProperties().asList()).containsExactly(
                new Property.Number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60), new Property.UserProperty("a", "b"));
        assertThat(a.connectProperties().number(PropertyId.SESSION_EXPIRY_INTERVAL, -1)).isEqualTo(300);
        assertThat(a.willProperties().text(PropertyId.CONTENT_TYPE)).isEqualTo("text/plain");
        assertThat(a.disconnectProperties().text(PropertyId.REASON_STRING)).isEqualTo("bye");
        assertThat(pub("-t", "x", "-n", "-D", "publish", "correlation-data", "cd")
                .publishProperties().binary(PropertyId.CORRELATION_DATA)).isEqualTo("cd".getBytes(StandardCharsets.UTF_8));
        assertThat(pub("-t", "x", "-n", "-D", "publish", "topic-alias", "3").properties.hasTopicAlias()).isTrue();
    }

    @Test
    void laterVersion_overridesAProperty() throws Refused {
        assertThat(sub("-t", "x", "-D", "connect", "receive-maximum", "5", "-V", "311").version)
                .isEqualTo(MqttVersion.MQTT_3_1_1);
    }

    @Test
    void sessionExpiry_isAddedToConnect_in5Only() throws Refused {
        assertThat(sub("-t", "x", "-V", "5", "-x", "60").connectProperties()
                .number(PropertyId.SESSION_EXPIRY_INTERVAL, -1)).isEqualTo(60);
        assertThat(sub("-t", "x", "-V", "5", "-x", "0x10").sessionExpiryInterval).isEqualTo(16);
        assertThat(sub("-t", "x", "-V", "5", "-i", "me", "-c").connectProperties()
                .number(PropertyId.SESSION_EXPIRY_INTERVAL, -1)).isEqualTo(0xFFFFFFFFL);
        assertThat(sub("-t", "x", "-V", "5", "-i", "me", "-x", "∞").sessionExpiryInterval).isEqualTo(0xFFFFFFFFL);
        assertThat(sub("-t", "x", "-x", "60").connectProperties().isEmpty()).isTrue();
    }

    @Test
    void helpAndVersion_areRequests() {
        assertThatThrownBy(() -> sub("--help")).isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.kind).isEqualTo(Refused.Kind.HELP));
        assertThatThrownBy(() -> pub("--version")).isInstanceOfSatisfying(Refused.class,
                r -> assertThat(r.kind).isEqualTo(Refused.Kind.VERSION));
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of(Tool.SUB, List.of("-A"), "Error: -A argument given but no address specified.\n\n"),
                Arguments.of(Tool.SUB, List.of("-C"), "Error: -C argument given but no count specified.\n\n"),
                Arguments.of(Tool.PUB, List.of("-C", "1"), "Error: Unknown option '-C'.\n"),
                Arguments.of(Tool.SUB, List.of("-m", "x"), "Error: Unknown option '-m'.\n"),
                Arguments.of(Tool.PUB, List.of("-v"), "Error: Unknown option '-v'.\n"),
                Arguments.of(Tool.SUB, List.of("-Z"), "Error: Unknown option '-Z'.\n"),
                Arguments.of(Tool.SUB, List.of("-e", "x"), "Error: Unknown option '-e'.\n"),
                Arguments.of(Tool.SUB, List.of("-t"), "Error: -t argument given but no topic specified.\n\n"),
                Arguments.of(Tool.SUB, List.of("-V"), "Error: --protocol-version argument given but no version specified.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-C", "0"), "Error: Invalid message count \"0\".\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-C", "abc"), "Error: Invalid message count \"0\".\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-k", "4"),
                        "Error: Invalid keepalive given, it must be between 5 and 65535 inclusive.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-p", "70000"), "Error: Invalid port given: 70000\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-q", "3"), "Error: Invalid QoS given: 3\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-W", "0"), "Error: Invalid timeout \"0\".\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-i", "a", "-I", "b"),
                        "Error: -i and -I argument cannot be used together.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-V", "4"), "Error: Invalid protocol version argument given.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "a/#/b"),
                        "Error: Invalid subscription topic 'a/#/b', are all '+' and '#' wildcards correct?\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-T", "a/#/b"),
                        "Error: Invalid filter topic 'a/#/b', are all '+' and '#' wildcards correct?\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-U", "a/b+"),
                        "Error: Invalid unsubscribe topic 'a/b+', are all '+' and '#' wildcards correct?\n"),
                Arguments.of(Tool.PUB, List.of("-t", "a/+", "-m", "x"),
                        "Error: Invalid publish topic 'a/+', does it contain '+' or '#'?\n"),
                Arguments.of(Tool.PUB, List.of("-t", "x", "-m", "a", "-n"),
                        "Error: Only one type of message can be sent at once.\n\n"),
                Arguments.of(Tool.PUB, List.of("-t", "x", "-l", "-s"),
                        "Error: Only one type of message can be sent at once.\n\n"),
                Arguments.of(Tool.PUB, List.of("-t", "x", "-m", "y", "--repeat", "0"), "Error: --repeat argument must be >0.\n\n"),
                Arguments.of(Tool.PUB, List.of("-t", "x", "-m", "y", "--repeat-delay", "-1"),
                        "Error: --repeat-delay argument must be >=0.0.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "--will-payload", "p"),
                        "Error: Will payload given, but no will topic given.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "--will-retain"), "Error: Will retain given, but no will topic given.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "--will-qos", "3"), "Error: Invalid will QoS 3.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "--will-topic", "a/+"),
                        "Error: Invalid will topic 'a/+', does it contain '+' or '#'?\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "--cert", "c"),
                        "Error: Both certfile and keyfile must be provided if one of them is set.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-c"),
                        "Error: You must provide a client id if you are using the -c option.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-c", "-V", "5"),
                        "Error: You must provide a client id if you are using an infinite session expiry interval.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-x", "abc"), "Error: session-expiry-interval not a number.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-x", "4294967296"), "Error: session-expiry-interval out of range.\n\n"),
                Arguments.of(Tool.SUB, List.of("-D", "foo", "bar", "baz"), "Error: Invalid command given in --property argument.\n\n"),
                Arguments.of(Tool.SUB, List.of("-D", "connect", "foo", "1"),
                        "Error: Invalid property name given in --property argument.\n\n"),
                Arguments.of(Tool.SUB, List.of("-D", "connect", "content-type", "x"),
                        "Error: content-type property not allowed for connect in --property argument.\n\n"),
                Arguments.of(Tool.SUB, List.of("-D", "connect", "receive-maximum", "70000"),
                        "Error: Property value (70000) out of range for property receive-maximum.\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-D", "connect", "receive-maximum", "abc"),
                        "Error in CONNECT properties: A network protocol error occurred when communicating with the broker.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-D", "connect", "session-expiry-interval", "5",
                        "-D", "connect", "session-expiry-interval", "6"),
                        "Error in CONNECT properties: Duplicate property in property list\n"),
                Arguments.of(Tool.SUB, List.of("-D", "connect", "user-property", "a"),
                        "Error: --property argument given but not enough arguments specified.\n\n"),
                Arguments.of(Tool.SUB, List.of("-D", "auth", "authentication-method", "x"),
                        "Error: authentication-method property not supported for auth in --property argument.\n\n"),
                Arguments.of(Tool.SUB, List.of("-D", "puback", "user-property", "a", "b"),
                        "Error: user-property property not supported for puback in --property argument.\n\n"),
                Arguments.of(Tool.PUB, List.of("-D", "publish", "subscription-identifier", "1"),
                        "Error: subscription-identifier property not supported for publish in --property argument.\n\n"),
                Arguments.of(Tool.PUB, List.of("-D", "publish", "message-expiry-interval", "-1"),
                        "Error: Property value (-1) out of range for property message-expiry-interval.\n\n"),
                Arguments.of(Tool.PUB, List.of("-t", "x", "-n", "-D", "publish", "topic-alias", "0"),
                        "Error in PUBLISH properties: A network protocol error occurred when communicating with the broker.\n"),
                Arguments.of(Tool.SUB, List.of("-L", "http://x/y"), "Error: unsupported URL scheme.\n\n"),
                Arguments.of(Tool.SUB, List.of("-L", "mqtt://x"),
                        "Error: Invalid URL for -L argument specified - topic missing.\n"),
                Arguments.of(Tool.SUB, List.of("-L", "mqtt://x/a/#/b"),
                        "Error: Invalid subscription topic 'a/#/b', are all '+' and '#' wildcards correct?\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "--random-filter", "0"),
                        "Error: --random-filter chance must be between 0.1-100.0\n\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-F", "%"), "Error: Incomplete format specifier.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-F", "%-"), "Error: Incomplete format specifier.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-F", "%5."), "Error: Incomplete format specifier.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-F", "@"), "Error: Incomplete format specifier.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-F", "%Z"), "Error: Invalid format specifier 'Z'.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-F", "\\"), "Error: Incomplete escape specifier.\n"),
                Arguments.of(Tool.SUB, List.of("-t", "x", "-F", "\\q"), "Error: Invalid escape specifier 'q'.\n"),
                Arguments.of(Tool.SUB, List.of("-p", "1883"), "Error: You must specify a topic to subscribe to.\n"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refusals")
    void badArguments_areRefusedWithMosquittosMessage(Tool tool, List<String> args, String message) {
        assertThatThrownBy(() -> ClientArguments.parse(tool, args)).isInstanceOfSatisfying(Refused.class, r -> {
            assertThat(r.kind).isEqualTo(Refused.Kind.ERROR);
            assertThat(r.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void refusedSub_printsTheUseLine_andExits1() {
        ClientRun run = ClientRun.sub("-t", "x", "-Z");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("Error: Unknown option '-Z'.\n\nUse 'starling sub --help' to see usage.\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void retainedOnlyWithR_isRefusedWithoutTheUseLine() {
        ClientRun run = ClientRun.sub("-t", "x", "-R", "--retained-only");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("\nError: Combining '-R' and '--retained-only' makes no sense.\n");
    }

    @Test
    void help_printsUsageOnStandardOutput_andExits1_asMosquittoDoes() {
        ClientRun sub = ClientRun.sub("--help");
        assertThat(sub.status()).isEqualTo(1);
        assertThat(sub.outText()).startsWith("starling sub is a simple mqtt client")
                .contains("Usage: starling sub {[-h host]").endsWith("See https://mosquitto.org/ for more information.\n\n");
        ClientRun pub = ClientRun.pub("--version");
        assertThat(pub.status()).isEqualTo(1);
        assertThat(pub.outText()).isEqualTo("starling pub version 0.1.0, compatible with mosquitto_pub 2.0.\n");
    }

    @Test
    void pubWithoutMessage_printsTheErrorAndTheUsage() {
        ClientRun run = ClientRun.pub("-t", "x");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("Error: Both topic and message must be supplied.\n");
        assertThat(run.outText()).startsWith("starling pub is a simple mqtt client");
    }

    @Test
    void pubOfAMissingFile_saysSoTwice() {
        ClientRun run = ClientRun.pub("-t", "x", "-f", "/nonexistent/file");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("Error: Unable to open file \"/nonexistent/file\".\n"
                + "Error loading input file \"/nonexistent/file\".\n");
    }

    @Test
    void unsupportedTransports_areRefusedAtConnectTime() {
        assertThat(ClientRun.sub("-t", "x", "--unix", "/tmp/s.sock").err()).contains("Unix domain sockets");
        assertThat(ClientRun.pub("-t", "x", "-n", "--proxy", "socks5h://h").err()).contains("SOCKS proxies");
        ClientRun engine = ClientRun.sub("-t", "x", "--cafile", "ca", "--tls-engine", "foo");
        assertThat(engine.err()).isEqualTo("Error: Problem setting TLS engine, is foo a valid engine?\n");
        assertThat(engine.status()).isEqualTo(1);
    }
}
